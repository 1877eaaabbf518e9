import Foundation
import GatewayTestSupport
import Testing

@testable import GatewayCore
@testable import OrgServices

@Suite struct FileIdempotencyStoreTests {
    func receipt(_ id: String) -> DeliveryReceipt {
        DeliveryReceipt(
            messageID: id, org: OrgKey(tenantID: "acme", orgName: "main"), genesysMessageID: "g-\(id)", conversationID: "c-1",
            correlationID: nil, genesysDuration: .zero)
    }

    @Test func receiptsSurviveARestart() async throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/state/idempotency.jsonl"
        let store = try FileIdempotencyStore(path: path)
        await store.record(receipt("m-1"))
        await store.record(receipt("m-2"))
        let reopened = try FileIdempotencyStore(path: path)
        #expect(await reopened.receipt(for: "m-2", tenantID: "acme")?.genesysMessageID == "g-m-2")
        #expect(await reopened.receipt(for: "m-2", tenantID: "other") == nil)
        #expect(store.writeProblem == nil)
    }

    /// `FileHandle.write` trapped here (SIGILL: every tenant down); now the refusal is reported and the
    /// receipt kept in memory.
    @Test func aDiskThatRefusesWritesIsReportedNotACrash() async throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/idempotency.jsonl"
        let store = try FileIdempotencyStore(path: path, capacity: 10, writingTo: "/dev/full")
        await store.record(receipt("m-1"))
        let problem = try #require(store.writeProblem)
        #expect(problem.contains(path))
        #expect(problem.contains("No space left on device"))
        #expect(await store.receipt(for: "m-1", tenantID: "acme") != nil)
        await store.retryWrites()
        #expect(store.writeProblem != nil)
        // What the delivery core and /ready see: the store through its protocol, not the protocol's defaults.
        let seen: any IdempotencyStore = store
        #expect(seen.writeProblem != nil)
    }

    @Test func aLineCutShortByACrashIsSkippedAndTheRestKept() async throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/idempotency.jsonl"
        let store = try FileIdempotencyStore(path: path)
        await store.record(receipt("m-1"))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"id":"m-2","ten"#.utf8))
        try handle.close()
        let reopened = try FileIdempotencyStore(path: path)
        #expect(await reopened.count == 1)
        await reopened.record(receipt("m-3"))
        let again = try FileIdempotencyStore(path: path)
        #expect(await again.receipt(for: "m-3", tenantID: "acme") != nil)
        #expect(await again.count == 2)
    }

    @Test func aRecordThatCannotBeReadStopsTheStartInsteadOfLookingEmpty() throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/idempotency.jsonl"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        #expect(throws: RecordFileError.self) { try FileIdempotencyStore(path: path) }
    }

    /// Issue 11: a SIGKILL between the HTTP call and the record left a message Genesys had taken to be sent
    /// again after the restart, unnoticed. Such a send is now known after the restart, once.
    @Test func aSendCutShortByACrashIsKnownAfterTheRestart() async throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/idempotency.jsonl"
        let store: any IdempotencyStore = try FileIdempotencyStore(path: path)
        #expect(await store.sendStarting("cut", tenantID: "acme") == .clear)
        #expect(await store.sendStarting("refused", tenantID: "acme") == .clear)
        await store.sendEnded("refused", tenantID: "acme")
        #expect(await store.sendStarting("done", tenantID: "acme") == .clear)
        await store.record(receipt("done"))
        #expect(await store.sendStarting("done", tenantID: "acme") == .alreadySent(receipt("done")), "a kept receipt stops a send")
        #expect(await store.wasInterrupted("cut", tenantID: "acme") == false)  // this run: still going, not cut short

        let restarted = try FileIdempotencyStore(path: path)  // as after a SIGKILL: nothing ended or recorded "cut"
        let seen: any IdempotencyStore = restarted
        #expect(await seen.wasInterrupted("cut", tenantID: "acme"))
        #expect(await restarted.wasInterrupted("cut", tenantID: "acme") == false)  // reported once
        #expect(await restarted.wasInterrupted("cut", tenantID: "other") == false)
        #expect(await restarted.wasInterrupted("refused", tenantID: "acme") == false)
        #expect(await restarted.wasInterrupted("done", tenantID: "acme") == false)
        #expect(await restarted.receipt(for: "done", tenantID: "acme") != nil)
    }

    @Test func anOpenSendSurvivesCompaction() async throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/idempotency.jsonl"
        let store = try FileIdempotencyStore(path: path, capacity: 2)
        #expect(await store.sendStarting("cut", tenantID: "acme") == .clear)
        for index in 1...6 { await store.record(receipt("m-\(index)")) }
        await store.compactionFinished()
        let restarted = try FileIdempotencyStore(path: path, capacity: 2)
        #expect(await restarted.wasInterrupted("cut", tenantID: "acme"))
        #expect(await restarted.receipt(for: "m-6", tenantID: "acme") != nil)
    }

    @Test func compactionKeepsTheNewestEntries() async throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/idempotency.jsonl"
        let store = try FileIdempotencyStore(path: path, capacity: 3)
        for index in 1...7 { await store.record(receipt("m-\(index)")) }
        await store.compactionFinished()
        let reopened = try FileIdempotencyStore(path: path, capacity: 3)
        #expect(await reopened.receipt(for: "m-7", tenantID: "acme") != nil)
        #expect(await reopened.receipt(for: "m-1", tenantID: "acme") == nil)
    }

    /// The rewrite runs off the actor: records made while it runs are answered at once and land in the new
    /// file after the snapshot.
    @Test func recordsMadeWhileTheFileIsRewrittenAreKept() async throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/idempotency.jsonl"
        let store = try FileIdempotencyStore(path: path, capacity: 3)
        for index in 1...7 { await store.record(receipt("m-\(index)")) }  // the 7th starts a rewrite
        #expect(await store.sendStarting("during", tenantID: "acme") == .clear)
        await store.record(receipt("m-8"))
        #expect(await store.receipt(for: "m-8", tenantID: "acme") != nil)
        await store.compactionFinished()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count <= 6, "the file was not rewritten: \(lines.count) lines")
        let reopened = try FileIdempotencyStore(path: path, capacity: 3)
        for kept in ["m-5", "m-6", "m-7", "m-8"] { #expect(await reopened.receipt(for: kept, tenantID: "acme") != nil, "\(kept) lost") }
        #expect(await reopened.wasInterrupted("during", tenantID: "acme"))
        #expect(await reopened.receipt(for: "m-1", tenantID: "acme") == nil)
    }
}
