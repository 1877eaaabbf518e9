import RedisTestSupport
import Foundation
import GatewayTestSupport
import Logging
import RedisClient
import Testing
@testable import GatewayCore
@testable import OrgServices

/// Shared mode's stores against the real test server: what one replica writes, another reads; with Redis
/// unreachable each falls back to its replica's own part instead of failing.
@Suite(.timeLimit(.minutes(1))) struct SharedStateIntegrationTests {
    let logger = Logger(label: "shared-state-tests") { _ in SwiftLogNoOpLogHandler() }
    /// Tenant ids unique to each test run, so runs never read each other's keys.
    let tenant = "t\(UUID().uuidString.prefix(8).lowercased())"
    var org: OrgKey { OrgKey(tenantID: tenant, orgName: "main") }

    func unreachable() throws -> RedisClient {
        try GatewayTestRedis.client(url: RedisURL(host: "127.0.0.1", port: 1), logger: logger)
    }

    @Test func aReceiptRecordedByOneReplicaIsFoundByAnother() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let a = SharedIdempotencyStore(local: SentMessageLog(), client: client, replicaID: "a", logger: logger)
        let b = SharedIdempotencyStore(local: SentMessageLog(), client: client, replicaID: "b", logger: logger)
        await a.record(DeliveryReceipt(
            messageID: "m-1", org: org, genesysMessageID: "g-1", conversationID: "c-1", correlationID: "corr", genesysDuration: .zero))
        let found = await b.receipt(for: "m-1", tenantID: tenant)
        #expect(found?.genesysMessageID == "g-1" && found?.conversationID == "c-1" && found?.org == org)
        // Scoped by tenant: another tenant's same id is another message.
        #expect(await b.receipt(for: "m-1", tenantID: tenant + "x") == nil)
    }

    @Test func aSendAnotherReplicaLeftOpenIsReportedOnceAsInterrupted() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let a = SharedIdempotencyStore(local: SentMessageLog(), client: client, replicaID: "a", logger: logger)
        let b = SharedIdempotencyStore(local: SentMessageLog(), client: client, replicaID: "b", logger: logger)
        #expect(await a.sendStarting("cut", tenantID: tenant) == .clear)  // then A dies
        #expect(await a.sendStarting("own", tenantID: tenant) == .clear)
        #expect(await a.wasInterrupted("own", tenantID: tenant) == false, "a replica's own open send is not an interrupted one")
        #expect(await b.wasInterrupted("cut", tenantID: tenant))
        #expect(await b.wasInterrupted("cut", tenantID: tenant) == false)
        // An ended attempt or a written receipt leaves no mark behind.
        #expect(await a.sendStarting("ended", tenantID: tenant) == .clear)
        await a.sendEnded("ended", tenantID: tenant)
        #expect(await a.sendStarting("done", tenantID: tenant) == .clear)
        await a.record(DeliveryReceipt(messageID: "done", org: org, genesysMessageID: "g", conversationID: nil, correlationID: nil, genesysDuration: .zero))
        #expect(await b.wasInterrupted("ended", tenantID: tenant) == false)
        #expect(await b.wasInterrupted("done", tenantID: tenant) == false)
    }

    @Test func withRedisUnreachableReceiptsComeFromTheReplicasOwnRecord() async throws {
        let store = SharedIdempotencyStore(local: SentMessageLog(), client: try unreachable(), replicaID: "a", logger: logger)
        await store.record(DeliveryReceipt(messageID: "m", org: org, genesysMessageID: "g", conversationID: nil, correlationID: nil, genesysDuration: .zero))
        #expect(await store.receipt(for: "m", tenantID: tenant)?.genesysMessageID == "g")
    }

    @Test func aMessagesStoryReadsTheSameOnEveryReplica() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let a = SharedStatusHistory(local: MessageStatusStore(), client: client, logger: logger)
        let b = SharedStatusHistory(local: MessageStatusStore(), client: client, logger: logger)
        // B (consuming the org) reports first; A (whose API took the message) reports `queued` after the confirm.
        await b.publish(StatusEvent(status: .retrying, messageId: "m", tenantId: tenant, org: "main"))
        await b.publish(StatusEvent(status: .sent, messageId: "m", tenantId: tenant, org: "main"))
        await a.publish(StatusEvent(status: .queued, messageId: "m", tenantId: tenant, org: "main"))
        for replica in [a, b] {
            let entry = await replica.entry(for: "m", tenantID: tenant)
            #expect(entry?.latest.status == .sent)
            #expect(entry?.history.map(\.status) == [.queued, .retrying])
        }
        #expect(await a.entry(for: "m", tenantID: tenant + "x") == nil)
    }

    @Test func historyIsCappedAndFallsBackToTheReplicasOwnStory() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let shared = SharedStatusHistory(local: MessageStatusStore(), client: client, logger: logger)
        for _ in 0..<30 { await shared.publish(StatusEvent(status: .retrying, messageId: "busy", tenantId: tenant, org: "main")) }
        let length = try await client.send("LLEN", SharedStatusHistory.key(tenantID: tenant, messageID: "busy")).integer
        #expect(length == Int64(MessageStatusStore.historyLimit + 1))
        let alone = SharedStatusHistory(local: MessageStatusStore(), client: try unreachable(), logger: logger)
        await alone.publish(StatusEvent(status: .sent, messageId: "m", tenantId: tenant, org: "main"))
        #expect(await alone.entry(for: "m", tenantID: tenant)?.latest.status == .sent)
    }

    /// Bounded in Redis by its length and by `--status-history-max-age`, as the replica's own store is.
    @Test func aLongStoryKeepsItsNewestEventsInOrderForTheAgeBound() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let local = MessageStatusStore(limits: StatusHistoryLimits(maxAge: .seconds(90)))
        let shared = SharedStatusHistory(local: local, client: client, logger: logger)
        for attempt in 1...30 {
            var event = StatusEvent(status: .retrying, messageId: "long", tenantId: tenant, org: "main")
            event.attempt = attempt
            await shared.publish(event)
        }
        let key = SharedStatusHistory.key(tenantID: tenant, messageID: "long")
        let kept = try await client.send("LRANGE", key, Int64(0), Int64(-1)).array ?? []
        let attempts = kept.compactMap { reply -> Int? in
            guard case .bulk(let json) = reply else { return nil }
            return (try? JSONDecoder().decode(StatusEvent.self, from: Data(json)))?.attempt
        }
        #expect(attempts == Array(10...30))
        let ttl = try #require(try await client.send("TTL", key).integer)
        #expect((80...90).contains(ttl), "the history's TTL: \(ttl) s")
    }

    @Test func aConversationOwnedThroughOneReplicaIsKnownOnAnother() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let a = SharedConversationDirectory(local: ConversationDirectory(), client: client, logger: logger)
        let b = SharedConversationDirectory(local: ConversationDirectory(), client: client, logger: logger)
        let conversation = "conv-\(tenant)"
        await a.record(conversation, owner: org)
        #expect(await b.owner(of: conversation) == org)
        // A `sent` event names the conversation Genesys put the message in.
        var sent = StatusEvent(status: .sent, messageId: "m", tenantId: tenant, org: "eu")
        sent.conversationId = conversation + "-2"
        await b.publish(sent)
        #expect(await a.owner(of: conversation + "-2") == OrgKey(tenantID: tenant, orgName: "eu"))
        #expect(await a.owner(of: "nobody-\(tenant)") == nil)
    }

    @Test func aWebhookMessageIsClaimedOnceInTheCluster() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let clock = ManualClock()
        let a = SharedWebhookDeduplicator(local: WebhookDeduplicator(clock: clock), client: client, logger: logger)
        let b = SharedWebhookDeduplicator(local: WebhookDeduplicator(clock: clock), client: client, logger: logger)
        let key = WebhookDeduplicator.Key(org: org, genesysMessageID: "g-1")
        #expect(await a.claim(key))
        #expect(await b.claim(key) == false, "Genesys' retry on the other replica")
        #expect(await b.claim(WebhookDeduplicator.Key(org: org, genesysMessageID: "g-2")))
        // Unreachable: the replica's own memory decides.
        let alone = SharedWebhookDeduplicator(local: WebhookDeduplicator(clock: clock), client: try unreachable(), logger: logger)
        #expect(await alone.claim(key))
        #expect(await alone.claim(key) == false)
    }
}
