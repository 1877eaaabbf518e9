import Foundation
import Logging
import RedisClient
import RedisTestSupport
import Testing
@testable import GatewayCore
@testable import OrgServices

/// What a delivered message costs Redis in shared mode, counted (never timed) on a redis-server of the test's
/// own: its `INFO commandstats` counts every command, those a script runs included, and no other client runs
/// there. Fails when a change adds a command per message; the figures are in docs/shared-mode.md.
@Suite(.timeLimit(.minutes(1))) struct SharedCommandCostIntegrationTests {
    let logger = Logger(label: "shared-command-cost-tests") { _ in SwiftLogNoOpLogHandler() }
    let tenant = "cost"
    var org: OrgKey { OrgKey(tenantID: tenant, orgName: "main") }

    /// The shared stores' calls for a message delivered at its first attempt, in the order the queue path makes
    /// them (`MessageProcessor`, `DeliveryService`); the rate limiter's script is counted by its own tests.
    func deliver(_ id: String, idempotency: SharedIdempotencyStore, history: SharedStatusHistory, conversations: SharedConversationDirectory) async {
        #expect(await idempotency.receipt(for: id, tenantID: tenant) == nil)
        await history.publish(StatusEvent(status: .accepted, messageId: id, tenantId: tenant, org: "main"))
        #expect(await idempotency.sendStarting(id, tenantID: tenant) == .clear)
        await idempotency.record(DeliveryReceipt(
            messageID: id, org: org, genesysMessageID: "g-\(id)", conversationID: "c-\(id)", correlationID: nil, genesysDuration: .zero))
        var sent = StatusEvent(status: .sent, messageId: id, tenantId: tenant, org: "main")
        sent.conversationId = "c-\(id)"
        await history.publish(sent)
        await conversations.publish(sent)
    }

    @Test func aDeliveredMessageCostsSixCommandsAndTenCountedByRedis() async throws {
        let server = try PrivateRedisServer()
        let client = RedisClient(configuration: RedisConfiguration(url: server.url), logger: logger)
        let idempotency = SharedIdempotencyStore(local: SentMessageLog(), client: client, replicaID: "a", logger: logger)
        let history = SharedStatusHistory(local: MessageStatusStore(), client: client, logger: logger)
        let conversations = SharedConversationDirectory(local: ConversationDirectory(), client: client, logger: logger)
        // The first message loads the scripts (NOSCRIPT, then EVAL): once per Redis start, not per message.
        await deliver("warm-up", idempotency: idempotency, history: history, conversations: conversations)
        let before = try await client.commandCalls()
        let sentBefore = client.statistics.commands
        let messages = 10
        for index in 0..<messages {
            await deliver("m-\(index)", idempotency: idempotency, history: history, conversations: conversations)
        }
        let sent = client.statistics.commands - sentBefore
        let counted = try await client.commandCalls().merging(before) { after, before in after - before }.filter { $0.value != 0 }
        #expect(sent == 6 * messages, "commands this replica sent per message: \(Double(sent) / Double(messages))")
        // GET (receipt check), SET NX GET (sending mark), SET (receipt), SET (conversation owner), and per status
        // event one EVALSHA running RPUSH and EXPIRE; the INFO of the count itself once.
        let expected = ["get": 1, "set": 3, "evalsha": 2, "rpush": 2, "expire": 2].mapValues { $0 * messages }
        #expect(counted == expected.merging(["info": 1]) { $1 }, "calls per command for \(messages) messages")
        await client.shutdown()
    }
}
