import BrokerTesting
import Foundation
import GatewayCore
import GatewayTestSupport
import Logging
import PluginKit
import Testing
@testable import Broker
@testable import OrgServices
@testable import QueuePipeline

/// Issue 25: a message that names no tenant (no `tenantId`, no tenant header) was looked up as tenant `unknown`,
/// a valid tenant id: a receipt of that tenant's own message with the same id passed it off as sent (acked,
/// never sent), and its status events went out under that tenant's routing key. It is dead-lettered now, unsent,
/// under ``OrgKey/unattributed``, which no tenant can be called.
@Suite struct TenantlessMessageTests {
    typealias Fixture = WaitingForGenesysTests.Fixture

    static let tenantless = Array(#"{"id":"m-1","type":"text","textBody":"hi","sender":{"id":"+15550001","idType":"Phone"},"createdAt":"2026-11-30T10:00:00Z"}"#.utf8)

    @Test func aTenantlessMessageIsDeadLetteredNotTakenForATenantCalledUnknown() async throws {
        let record = SentMessageLog()
        for tenant in ["unknown", OrgKey.unattributed] {
            await record.record(DeliveryReceipt(
                messageID: "m-1", org: OrgKey(tenantID: tenant, orgName: "main"), genesysMessageID: "g-\(tenant)",
                conversationID: nil, correlationID: nil, genesysDuration: .zero))
        }
        let fixture = try Fixture(answers: [], sent: record)
        let logger = Logger(label: "tenantless-tests") { _ in SwiftLogNoOpLogHandler() }
        let broker = InMemoryBroker(ingressPrefetch: 0)
        let statuses = MessageStatusStore()
        let processor = MessageProcessor(
            client: broker, delivery: fixture.delivery, registry: fixture.registry, status: statuses, topology: broker.topology,
            clock: fixture.clock, logger: logger)
        broker.enqueue(Self.tenantless, messageID: "m-1")
        let inbound = try #require(broker.take(from: broker.topology.outbound))
        let message = try QueuedMessage.decode(Self.tenantless).get()

        #expect(await processor.process(inbound, message: message, sequence: 0) == .finished)

        #expect(fixture.messageRequests == 0)
        let deadLettered = broker.messages(in: broker.topology.deadLetterQueue)
        #expect(deadLettered.count == 1, "acked as sent instead of dead-lettered")
        #expect(deadLettered.first?.headers[QueueHeaders.reason]?.stringValue?.contains("names no tenant") == true)
        #expect(await statuses.entry(for: "m-1", tenantID: "unknown") == nil, "a status event under tenant 'unknown'")
        let event = try #require(await statuses.entry(for: "m-1", tenantID: OrgKey.unattributed)?.latest)
        #expect(event.status == .deadLettered && event.routingKey == "?.?.dead_lettered")
    }
}
