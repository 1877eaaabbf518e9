import Foundation
import GatewayTestSupport
import Logging
import PluginKit
import Synchronization
import Testing
import BrokerTesting
@testable import OrgServices
@testable import QueuePipeline
@testable import Broker

/// A slot the dispatcher took for a message is spent only by a send that follows at once. When the message
/// first waits in the processor — here for the idempotency record's disk — the org's other waiting messages keep
/// taking slots meanwhile, so spending the old one after the wait could push the org past its rate: the send
/// takes a fresh slot instead. Manual clock, scripted Genesys (org at 1 msg/s, burst 1).
@Suite(.timeLimit(.minutes(1))) struct StaleSlotTests {
    typealias Fixture = WaitingForGenesysTests.Fixture

    /// A record whose disk refuses writes until it is asked to try again.
    final class RecoveringRecord: IdempotencyStore, @unchecked Sendable {
        private let problem = Mutex<String?>("disk full")
        private let log = SentMessageLog()

        var writeProblem: String? { problem.withLock { $0 } }
        func retryWrites() async { problem.withLock { $0 = nil } }
        func record(_ receipt: DeliveryReceipt) async { await log.record(receipt) }
        func receipt(for messageID: String, tenantID: String) async -> DeliveryReceipt? {
            await log.receipt(for: messageID, tenantID: tenantID)
        }
    }

    /// A processor for the fixture's org, and the fixture's message as the broker hands it over.
    static func processing(_ fixture: Fixture) throws -> (MessageProcessor, BrokerDelivery, QueuedMessage) {
        let logger = Logger(label: "stale-slot-tests") { _ in SwiftLogNoOpLogHandler() }
        let broker = InMemoryBroker(ingressPrefetch: 0)
        let processor = MessageProcessor(
            client: broker, delivery: fixture.delivery, registry: fixture.registry, status: MessageStatusStore(),
            topology: broker.topology, clock: fixture.clock, logger: logger)
        broker.enqueue(Fixture.message, messageID: "m-1")
        let inbound = try #require(broker.take(from: broker.topology.outbound))
        return (processor, inbound, try QueuedMessage.decode(Fixture.message).get())
    }

    /// The org's login comes before its first send's slot: a slot the send held while the login ran would be
    /// stale when the token came. So a message does not take a slot in the dispatcher while its org holds no
    /// token, and a send that holds one anyway (the token was refused meanwhile) takes a fresh one after the login.
    @Test func aSlotTakenBeforeTheOrgsLoginIsNotSpentAfterIt() async throws {
        let fixture = try Fixture(answers: [])
        let org = try #require(fixture.registry.tenant("acme")?.org(named: "main"))
        #expect(!org.tokens.holdsUsableToken)
        let (processor, inbound, message) = try Self.processing(fixture)
        #expect(processor.delivery.slotLimiter(for: message, tenantHint: nil, redelivered: inbound.delivery.redelivered) == nil, "a slot taken while the org has no token")

        try await org.limiter.acquire()  // a slot taken for the message all the same: the org's one free slot
        let processed = Task { await processor.process(inbound, message: message, sequence: 0, slotTaken: true) }
        // The login answers at once; the send then waits for a fresh slot, a second away on this clock.
        #expect(await fixture.settle { fixture.http.requests.count >= 1 && org.tokens.holdsUsableToken })
        await fixture.clock.waitForSleepers(1)
        #expect(fixture.messageRequests == 0, "the send spent the slot taken before the login")
        fixture.clock.advance(by: .seconds(1))
        #expect(await processed.value == .finished)
        #expect(fixture.messageRequests == 1)
        #expect(processor.delivery.slotLimiter(for: message, tenantHint: nil, redelivered: inbound.delivery.redelivered) != nil, "the org holds its token now")
    }

    @Test(arguments: [false, true])
    func aSlotTakenBeforeAWaitIsNotSpentAfterIt(recordRefusesWrites: Bool) async throws {
        let fixture = try Fixture(answers: [], sent: recordRefusesWrites ? RecoveringRecord() : SentMessageLog())
        let org = try #require(fixture.registry.tenant("acme")?.org(named: "main"))
        let limiter = org.limiter
        _ = try await org.tokens.token()  // the org's login done: this test is about the waits after it
        let (processor, inbound, message) = try Self.processing(fixture)

        try await limiter.acquire()  // the slot the dispatcher took for this message: the org's one free slot
        let processed = Task { await processor.process(inbound, message: message, sequence: 0, slotTaken: true) }
        if recordRefusesWrites {
            await fixture.clock.waitForSleepers(1)
            fixture.clock.advance(by: .seconds(1))  // the record takes writes again; a second is the org's next slot
        }
        #expect(await processed.value == .finished)
        #expect(fixture.messageRequests == 1)
        // Either way the org's next slot is a second away: without the wait the send spent the dispatcher's slot (had it
        // taken another, it would still be waiting for it: this clock does not move by itself), and after the
        // wait it took a fresh one at the time of the send (spending the old one would leave the next slot free).
        let next = try await limiter.acquire(maxWait: .zero)
        #expect(next == .refused(retryAfter: .seconds(1)), "next slot: \(next)")
    }
}
