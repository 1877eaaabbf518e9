import Foundation
import GatewayTestSupport
import Testing

@testable import GatewayHost

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

    @Test func compactionKeepsTheNewestEntries() async throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/idempotency.jsonl"
        let store = try FileIdempotencyStore(path: path, capacity: 3)
        for index in 1...7 { await store.record(receipt("m-\(index)")) }
        let reopened = try FileIdempotencyStore(path: path, capacity: 3)
        #expect(await reopened.receipt(for: "m-7", tenantID: "acme") != nil)
        #expect(await reopened.receipt(for: "m-1", tenantID: "acme") == nil)
    }
}
