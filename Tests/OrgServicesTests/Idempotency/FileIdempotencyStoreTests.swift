import Foundation
import GatewayTestSupport
import Synchronization
import Testing

@testable import GatewayCore
@testable import OrgServices

@Suite struct FileIdempotencyStoreTests {
    /// The wall clock the retention is measured on, moved by the test.
    final class WallClock: Sendable {
        private let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        var now: @Sendable () -> Date { { self.time.withLock { $0 } } }
        func advance(days: Double) { time.withLock { $0 += days * 86_400 } }
    }

    let folder = TemporaryDirectory()
    var directory: String { folder.path + "/state/idempotency" }

    func receipt(_ id: String) -> DeliveryReceipt {
        DeliveryReceipt(
            messageID: id, org: OrgKey(tenantID: "acme", orgName: "main"), genesysMessageID: "g-\(id)", conversationID: "c-1",
            correlationID: nil, genesysDuration: .zero)
    }

    func logs() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("receipts-") && $0.hasSuffix(".jsonl") }.sorted()
    }

    @Test func receiptsSurviveARestart() async throws {
        let store = try FileIdempotencyStore(directory: directory)
        await store.record(receipt("m-1"))
        await store.record(receipt("m-2"))
        let reopened = try FileIdempotencyStore(directory: directory)
        #expect(await reopened.receipt(for: "m-2", tenantID: "acme")?.genesysMessageID == "g-m-2")
        #expect(await reopened.receipt(for: "m-2", tenantID: "other") == nil)
        #expect(store.writeProblem == nil)
    }

    /// Memory holds a few recent receipts; every other one is answered from disk, before and after a restart.
    @Test func receiptsBeyondThoseInMemoryAreAnsweredFromDisk() async throws {
        let limits = FileIdempotencyStore.Limits(recentReceipts: 2)
        do {
            let store = try FileIdempotencyStore(directory: directory, limits: limits)
            for index in 1...500 { await store.record(receipt("m-\(index)")) }
            for index in [1, 2, 250, 499, 500] {
                #expect(await store.receipt(for: "m-\(index)", tenantID: "acme")?.genesysMessageID == "g-m-\(index)")
            }
            #expect(await store.receipt(for: "m-501", tenantID: "acme") == nil)
            #expect(await store.receipt(for: "m-1", tenantID: "other") == nil, "ids are scoped by tenant")
        }
        let reopened = try FileIdempotencyStore(directory: directory, limits: limits)
        for index in 1...500 {
            #expect(await reopened.receipt(for: "m-\(index)", tenantID: "acme") != nil, "m-\(index) lost")
        }
        #expect(await reopened.count == 500, "the count saved as the store closed")
    }

    /// Sends in flight at once each found their insert's slot when their receipt check missed; a slot another
    /// receipt took meanwhile must not be written over (the insert probes again).
    @Test func receiptsRecordedAfterTheirChecksInAnyOrderAreAllKept() async throws {
        var limits = FileIdempotencyStore.Limits(recentReceipts: 1)
        limits.smallestIndex = 1024
        let ids = (1...300).map { "m-\($0)" }
        do {
            let store = try FileIdempotencyStore(directory: directory, limits: limits)
            for id in ids { #expect(await store.receipt(for: id, tenantID: "acme") == nil) }
            for id in ids.shuffled() { await store.record(receipt(id)) }
        }
        let reopened = try FileIdempotencyStore(directory: directory, limits: limits)
        for id in ids { #expect(await reopened.receipt(for: id, tenantID: "acme")?.genesysMessageID == "g-\(id)", "\(id) lost") }
    }

    /// A full index starts a new generation; lookups go through all of them.
    @Test func aFullIndexStartsANewGenerationAndEveryReceiptIsStillFound() async throws {
        var limits = FileIdempotencyStore.Limits(recentReceipts: 1)
        limits.smallestIndex = 16
        let store = try FileIdempotencyStore(directory: directory, limits: limits)
        for index in 1...100 { await store.record(receipt("m-\(index)")) }
        #expect(await store.generationCount >= 2, "16 slots, half full at 8")
        for index in 1...100 {
            #expect(await store.receipt(for: "m-\(index)", tenantID: "acme") != nil, "m-\(index) lost")
        }
        let reopened = try FileIdempotencyStore(directory: directory, limits: limits)
        for index in [1, 9, 50, 100] { #expect(await reopened.receipt(for: "m-\(index)", tenantID: "acme") != nil) }
    }

    /// A lookup reads each generation: the next one is sized for the last one's rate over a whole generation's time
    /// (a quarter of the retention), not just doubled, so a steady rate does not keep adding generations.
    @Test func aGenerationIsSizedForTheRateItFilledAt() async throws {
        let clock = WallClock()
        var limits = FileIdempotencyStore.Limits(retention: .seconds(7 * 86_400), recentReceipts: 1)
        limits.smallestIndex = 16
        let store = try FileIdempotencyStore(directory: directory, limits: limits, now: clock.now)
        for index in 1...8 { await store.record(receipt("first-\(index)")) }
        clock.advance(days: 8 / 86_400)  // 8 receipts in 8 s: 1 a second
        for index in 1...2_000 { await store.record(receipt("m-\(index)")) }
        #expect(await store.generationCount == 2, "1 a second over 1.75 days: room for 151,200 in the second")
        #expect(await store.receipt(for: "first-1", tenantID: "acme") != nil)
    }

    /// Issue 29: every id of the retention is answered (a test moves the clock), older ones go, with their files.
    @Test func idsAreAnsweredForTheRetentionAndForgottenAfter() async throws {
        let clock = WallClock()
        let limits = FileIdempotencyStore.Limits(retention: .seconds(7 * 86_400), recentReceipts: 1)
        let store = try FileIdempotencyStore(directory: directory, limits: limits, now: clock.now)
        await store.record(receipt("day-0"))
        for day in 1...7 {
            clock.advance(days: 1)
            await store.record(receipt("day-\(day)"))
        }
        // Seven days on: every id still answered, from disk (memory holds one), across a restart too.
        let reopened = try FileIdempotencyStore(directory: directory, limits: limits, now: clock.now)
        for day in 0...7 { #expect(await reopened.receipt(for: "day-\(day)", tenantID: "acme") != nil, "day-\(day) lost") }
        let oldest = try #require(try logs().first)

        clock.advance(days: 2.5)
        await reopened.record(receipt("day-9"))
        #expect(await reopened.receipt(for: "day-0", tenantID: "acme") == nil, "kept past the retention")
        #expect(await reopened.receipt(for: "day-1", tenantID: "acme") == nil, "kept past the retention")
        #expect(await reopened.receipt(for: "day-3", tenantID: "acme") != nil, "forgotten within the retention")
        #expect(try !logs().contains(oldest), "the expired generation stayed on disk")
        #expect(!FileManager.default.fileExists(atPath: directory + "/" + oldest.replacingOccurrences(of: ".jsonl", with: ".idx")))
    }

    /// `FileHandle.write` trapped here (SIGILL: every tenant down); now the refusal is reported and the
    /// receipt kept in memory.
    @Test func aDiskThatRefusesWritesIsReportedNotACrash() async throws {
        let store = try FileIdempotencyStore(directory: directory, limits: .init(), now: { Date() }, writingTo: "/dev/full")
        await store.record(receipt("m-1"))
        let problem = try #require(store.writeProblem)
        #expect(problem.contains(directory))
        #expect(problem.contains("No space left on device"))
        #expect(await store.receipt(for: "m-1", tenantID: "acme") != nil)
        await store.retryWrites()
        #expect(store.writeProblem != nil)
        // What the delivery core and /ready see: the store through its protocol, not the protocol's defaults.
        let seen: any IdempotencyStore = store
        #expect(seen.writeProblem != nil)
    }

    @Test func aLineCutShortByACrashIsSkippedAndTheRestKept() async throws {
        let store = try FileIdempotencyStore(directory: directory)
        await store.record(receipt("m-1"))
        let log = try #require(try logs().last)
        let handle = try #require(FileHandle(forWritingAtPath: directory + "/" + log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"id":"m-2","ten"#.utf8))
        try handle.close()
        let reopened = try FileIdempotencyStore(directory: directory)
        #expect(await reopened.receipt(for: "m-2", tenantID: "acme") == nil)
        await reopened.record(receipt("m-3"))
        let again = try FileIdempotencyStore(directory: directory)
        #expect(await again.receipt(for: "m-3", tenantID: "acme") != nil)
        #expect(await again.receipt(for: "m-1", tenantID: "acme") != nil)
    }

    /// The log is the authority: an index lost (or cut short by a crash as it was made) is built again from it.
    @Test func aMissingIndexIsBuiltAgainFromItsLog() async throws {
        let store = try FileIdempotencyStore(directory: directory, limits: .init(recentReceipts: 1))
        for index in 1...20 { await store.record(receipt("m-\(index)")) }
        let log = try #require(try logs().last)
        try FileManager.default.removeItem(atPath: directory + "/" + log.replacingOccurrences(of: ".jsonl", with: ".idx"))
        let reopened = try FileIdempotencyStore(directory: directory, limits: .init(recentReceipts: 1))
        for index in 1...20 { #expect(await reopened.receipt(for: "m-\(index)", tenantID: "acme") != nil, "m-\(index) lost") }
    }

    @Test func aRecordThatCannotBeReadStopsTheStartInsteadOfLookingEmpty() throws {
        try FileManager.default.createDirectory(atPath: folder.path + "/state", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: directory, contents: Data("not a folder".utf8))
        #expect(throws: RecordFileError.self) { try FileIdempotencyStore(directory: directory) }
    }

    /// Issue 11: a SIGKILL between the HTTP call and the record left a message Genesys had taken to be sent
    /// again after the restart, unnoticed. Such a send is now known after the restart, once.
    @Test func aSendCutShortByACrashIsKnownAfterTheRestart() async throws {
        let store: any IdempotencyStore = try FileIdempotencyStore(directory: directory)
        #expect(await store.sendStarting("cut", tenantID: "acme") == .clear)
        #expect(await store.sendStarting("refused", tenantID: "acme") == .clear)
        await store.sendEnded("refused", tenantID: "acme")
        #expect(await store.sendStarting("done", tenantID: "acme") == .clear)
        await store.record(receipt("done"))
        #expect(await store.sendStarting("done", tenantID: "acme") == .alreadySent(receipt("done")), "a kept receipt stops a send")
        #expect(await store.wasInterrupted("cut", tenantID: "acme") == false)  // this run: still going, not cut short

        let restarted = try FileIdempotencyStore(directory: directory)  // as after a SIGKILL: nothing ended or recorded "cut"
        let seen: any IdempotencyStore = restarted
        #expect(await seen.wasInterrupted("cut", tenantID: "acme"))
        #expect(await restarted.wasInterrupted("cut", tenantID: "acme") == false)  // reported once
        #expect(await restarted.wasInterrupted("cut", tenantID: "other") == false)
        #expect(await restarted.wasInterrupted("refused", tenantID: "acme") == false)
        #expect(await restarted.wasInterrupted("done", tenantID: "acme") == false)
        #expect(await restarted.receipt(for: "done", tenantID: "acme") != nil)
    }

    @Test func anOpenSendSurvivesTheRewriteOfTheSendsFile() async throws {
        var limits = FileIdempotencyStore.Limits()
        limits.sendLinesBeforeRewrite = 4
        let store = try FileIdempotencyStore(directory: directory, limits: limits)
        #expect(await store.sendStarting("cut", tenantID: "acme") == .clear)
        for index in 1...6 {
            #expect(await store.sendStarting("m-\(index)", tenantID: "acme") == .clear)
            await store.record(receipt("m-\(index)"))
        }
        let lines = try String(contentsOfFile: directory + "/sends.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count <= 5, "the sends file was not rewritten: \(lines.count) lines")
        let restarted = try FileIdempotencyStore(directory: directory, limits: limits)
        #expect(await restarted.wasInterrupted("cut", tenantID: "acme"))
        #expect(await restarted.wasInterrupted("m-6", tenantID: "acme") == false)
        #expect(await restarted.receipt(for: "m-6", tenantID: "acme") != nil)
    }

    /// The single file of earlier versions is taken over once: its receipts and its open sends.
    @Test func anEarlierVersionsRecordIsImported() async throws {
        let legacy = folder.path + "/state/idempotency.jsonl"
        try FileManager.default.createDirectory(atPath: folder.path + "/state", withIntermediateDirectories: true)
        try Data("""
            {"event":"sending","id":"old-1","tenant":"acme"}
            {"id":"old-1","tenant":"acme","org":"main","genesysId":"g-old-1","conversationId":"c-1"}
            {"event":"sending","id":"old-cut","tenant":"acme"}

            """.utf8).write(to: URL(fileURLWithPath: legacy))
        let store = try FileIdempotencyStore(directory: directory, importing: legacy)
        #expect(await store.receipt(for: "old-1", tenantID: "acme")?.genesysMessageID == "g-old-1")
        #expect(!FileManager.default.fileExists(atPath: legacy))
        #expect(FileManager.default.fileExists(atPath: legacy + ".imported"))
        let restarted = try FileIdempotencyStore(directory: directory, importing: legacy)
        #expect(await restarted.receipt(for: "old-1", tenantID: "acme") != nil)
        #expect(await restarted.wasInterrupted("old-cut", tenantID: "acme"))
        #expect(await restarted.wasInterrupted("old-1", tenantID: "acme") == false)
    }
}
