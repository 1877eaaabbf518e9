import RedisTestSupport
import Foundation
import Logging
import RedisClient
import Testing
@testable import GatewayCore
@testable import OrgServices

/// The idempotency record keeps a message's `sending` mark and its receipt in one key: whatever order replicas
/// write them in, a receipt is never lost to a mark, a mark never reads as a receipt, and a send cut short is
/// still reported, each with its own TTL; taking the mark tells what another replica left there.
@Suite(.timeLimit(.minutes(1))) struct SharedIdempotencyRecordIntegrationTests {
    let logger = Logger(label: "shared-idempotency-record-tests") { _ in SwiftLogNoOpLogHandler() }
    /// Tenant ids unique to each test run, so runs never read each other's keys.
    let tenant = "t\(UUID().uuidString.prefix(8).lowercased())"
    var org: OrgKey { OrgKey(tenantID: tenant, orgName: "main") }

    func receipt(_ id: String) -> DeliveryReceipt {
        DeliveryReceipt(messageID: id, org: org, genesysMessageID: "g-\(id)", conversationID: nil, correlationID: nil, genesysDuration: .zero)
    }

    func replicas(_ client: RedisClient) -> (SharedIdempotencyStore, SharedIdempotencyStore) {
        (SharedIdempotencyStore(local: SentMessageLog(), client: client, replicaID: "a", logger: logger),
         SharedIdempotencyStore(local: SentMessageLog(), client: client, replicaID: "b", logger: logger))
    }

    func timeToLive(_ id: String, _ client: RedisClient) async throws -> Int64? {
        try await client.send("TTL", SharedIdempotencyStore.key(tenantID: tenant, messageID: id)).integer
    }

    @Test func aSendingMarkIsNoReceiptAndLastsAnHour() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let (a, b) = replicas(client)
        #expect(await a.sendStarting("m", tenantID: tenant) == .clear)
        #expect(await b.receipt(for: "m", tenantID: tenant) == nil)
        let markTTL = try #require(try await timeToLive("m", client))
        #expect((3500...3600).contains(markTTL), "the mark's TTL: \(markTTL) s")
        await a.record(receipt("m"))
        #expect(await b.receipt(for: "m", tenantID: tenant)?.genesysMessageID == "g-m")
        let receiptTTL = try #require(try await timeToLive("m", client))
        let day: Int64 = 24 * 3600
        #expect(((day - 100)...day).contains(receiptTTL), "the receipt's TTL: \(receiptTTL) s")
    }

    /// Issue 29: `--shared-receipt-retention-minutes` is the receipt keys' TTL, so Redis holds what the window needs, no more.
    @Test func aReceiptLivesInRedisForTheSharedRetention() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let store = SharedIdempotencyStore(
            local: SentMessageLog(), client: client, replicaID: "a", receiptTimeToLive: .seconds(2 * 3600), logger: logger)
        await store.record(receipt("short"))
        let receiptTTL = try #require(try await timeToLive("short", client))
        #expect((7100...7200).contains(receiptTTL), "the receipt's TTL: \(receiptTTL) s")
    }

    @Test func noLateMarkEndOrCheckLosesAReceiptAnotherReplicaWrote() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let (a, b) = replicas(client)
        // A starts, B (the same id through its API) gets it through first; A's attempt then fails.
        #expect(await a.sendStarting("raced", tenantID: tenant) == .clear)
        await b.record(receipt("raced"))
        await a.sendEnded("raced", tenantID: tenant)
        #expect(await a.sendStarting("raced", tenantID: tenant) == .alreadySent(receipt("raced")))
        #expect(await a.wasInterrupted("raced", tenantID: tenant) == false)
        #expect(await b.wasInterrupted("raced", tenantID: tenant) == false)
        #expect(await a.receipt(for: "raced", tenantID: tenant)?.genesysMessageID == "g-raced")
    }

    @Test func theMarkOfARunThatDiedSurvivesAnotherRunsAttemptUntilReportedOrReplaced() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let (a, b) = replicas(client)
        #expect(await a.sendStarting("cut", tenantID: tenant) == .clear)  // then A dies
        // B sends the same id without it being redelivered (the API), and its attempt fails: A's mark stays.
        #expect(await b.sendStarting("cut", tenantID: tenant) == .possiblySentElsewhere)
        await b.sendEnded("cut", tenantID: tenant)
        #expect(await b.wasInterrupted("cut", tenantID: tenant))
        #expect(await b.wasInterrupted("cut", tenantID: tenant) == false, "reported once")
        // A receipt replaces a mark: nothing is reported after a send that went through.
        #expect(await a.sendStarting("done", tenantID: tenant) == .clear)
        await b.record(receipt("done"))
        #expect(await b.wasInterrupted("done", tenantID: tenant) == false)
    }

    /// docs/shared-mode.md: A is still in its call to Genesys when the broker hands the message to B. B's receipt
    /// check reads A's mark; A's receipt lands before B's check for an interrupted send. Taking the mark then
    /// finds the receipt: B does not send.
    @Test func aReceiptWrittenAfterTheReceiptCheckStopsTheSend() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let (a, b) = replicas(client)
        #expect(await a.sendStarting("window", tenantID: tenant) == .clear)
        #expect(await b.receipt(for: "window", tenantID: tenant) == nil)
        await a.record(receipt("window"))
        #expect(await b.wasInterrupted("window", tenantID: tenant) == false)
        #expect(await b.sendStarting("window", tenantID: tenant) == .alreadySent(receipt("window")))
        // B's mark did not replace the receipt.
        #expect(await b.receipt(for: "window", tenantID: tenant) == receipt("window"))
    }

    /// A live replica's mark (or a dead one's not yet reported) is there as B takes its own: B sends, flagged.
    @Test func anotherRunsMarkMakesTheSendAPossibleDuplicate() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let (a, b) = replicas(client)
        #expect(await a.sendStarting("marked", tenantID: tenant) == .clear)
        #expect(await b.receipt(for: "marked", tenantID: tenant) == nil)
        #expect(await b.sendStarting("marked", tenantID: tenant) == .possiblySentElsewhere)
        // A's mark stays (NX), and A's own mark found again is no other run's.
        #expect(await a.sendStarting("marked", tenantID: tenant) == .clear)
        let value = try await client.send("GET", SharedIdempotencyStore.key(tenantID: tenant, messageID: "marked")).string
        #expect(value?.hasPrefix(SharedIdempotencyStore.sendingPrefix + "a/") == true, "the key holds \(value ?? "nothing")")
    }

    @Test func aReceiptWrittenBeforeThisFormatIsStillFound() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        // The JSON earlier versions wrote under the same key: a rolling upgrade keeps their receipts.
        let json = #"{"org":"main","genesysId":"g-old","conversationId":"c-old"}"#
        _ = try await client.send("SET", SharedIdempotencyStore.key(tenantID: tenant, messageID: "old"), json, "EX", Int64(60))
        let found = await replicas(client).0.receipt(for: "old", tenantID: tenant)
        #expect(found?.genesysMessageID == "g-old" && found?.conversationID == "c-old" && found?.org == org)
    }
}
