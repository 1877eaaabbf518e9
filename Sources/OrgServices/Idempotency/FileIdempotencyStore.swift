public import Foundation
import GatewayCore
import Synchronization

/// An ``IdempotencyStore`` on disk that survives a restart (SIGKILL included) and answers for every message of the
/// last `retention` (7 days by default) while holding only a small, bounded set of recent receipts in memory.
///
/// In its folder (``ReceiptRecord``):
/// - generations of receipts (``ReceiptGeneration``): JSON lines, one per message Genesys accepted, each with an
///   on-disk hash index read at offsets (``ReceiptIndexFile``). A new generation starts every quarter of the
///   retention or when its index is half full; a generation goes once the next one started more than `retention`
///   ago, so the folder holds at most about 1¼ × `retention` of receipts.
/// - `sends.jsonl`: a `sending` line before each call to Genesys and an `ended` line when Genesys did not take the
///   message, so that a send a SIGKILL cut short is known after the restart (``wasInterrupted(_:tenantID:)``) and
///   its redelivery reported as a possible duplicate. Rewritten with only the open sends once it is long.
///
/// Each receipt is written before the message is acked. A write the disk refuses never crashes the gateway:
/// ``writeProblem`` says why until the disk takes the record — `/ready` reports it and queued sends wait.
public actor FileIdempotencyStore: IdempotencyStore {
    /// How long and how much the store keeps.
    public struct Limits: Sendable {
        /// How long a receipt is answered for (at least a minute).
        public var retention: Duration
        /// Recent receipts answered from memory (a redelivery comes soon after its send).
        public var recentReceipts: Int
        /// `sends.jsonl` is rewritten past this many lines.
        var sendLinesBeforeRewrite = 100_000
        /// The fewest slots a generation's index starts with (tests make it small to fill one).
        var smallestIndex: UInt64 = 1 << 16

        public init(retention: Duration = .seconds(7 * 24 * 3600), recentReceipts: Int = 10_000) {
            self.retention = max(retention, .seconds(60))
            self.recentReceipts = max(recentReceipts, 1)
        }
    }

    private let record: ReceiptRecord
    private nonisolated let problem = Mutex<String?>(nil)

    /// Opens the record in `directory` (creating it); a folder or file that exists but cannot be read is an
    /// error, not an empty record.
    /// - Parameters:
    ///   - importing: a record in the single-file form of earlier versions (`idempotency.jsonl`): its receipts and
    ///     open sends are taken over once, and the file renamed `….imported`.
    ///   - now: the wall clock the retention is measured on (tests move it).
    public init(
        directory: String, limits: Limits = Limits(), importing legacyPath: String? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        try self.init(directory: directory, limits: limits, importing: legacyPath, now: now, writingTo: nil)
    }

    /// - Parameter writePath: where receipt lines are appended (see ``AppendOnlyRecordFile``); tests only.
    init(
        directory: String, limits: Limits, importing legacyPath: String? = nil, now: @escaping @Sendable () -> Date,
        writingTo writePath: String?
    ) throws {
        let record = try ReceiptRecord(directory: directory, limits: limits, importing: legacyPath, now: now, writingTo: writePath)
        self.record = record
        problem.withLock { $0 = record.problem.map { $0 + "; queued sends wait" } }
    }

    // `async` although they never suspend: with the protocol's no-op defaults in view, an isolated synchronous
    // method loses overload resolution to them at `await store.method()` call sites.
    /// A receipt already kept stops the send whoever asks, so a caller without a receipt check of its own
    /// (``FailedReceiptReporter``) does not send a message twice either.
    public func sendStarting(_ messageID: String, tenantID: String) async -> SendStart {
        defer { publishProblem() }
        return record.sendStarting(messageID, tenantID: tenantID)
    }

    public func sendEnded(_ messageID: String, tenantID: String) async {
        record.sendEnded(messageID, tenantID: tenantID)
        publishProblem()
    }

    public func wasInterrupted(_ messageID: String, tenantID: String) async -> Bool {
        record.wasInterrupted(messageID, tenantID: tenantID)
    }

    public nonisolated var writeProblem: String? { problem.withLock { $0 } }

    public func record(_ receipt: DeliveryReceipt) {
        record.record(receipt)
        publishProblem()
    }

    public func retryWrites() async {
        record.retryWrites()
        publishProblem()
    }

    public func receipt(for messageID: String, tenantID: String) -> DeliveryReceipt? {
        record.receipt(for: messageID, tenantID: tenantID)
    }

    /// Receipts held on disk (saved counts: after a crash it may lag a little).
    public var count: Int { record.count }

    /// Generations on disk (tests).
    var generationCount: Int { record.generationCount }

    private func publishProblem() {
        let current = record.problem.map { $0 + "; queued sends wait" }
        problem.withLock { $0 = current }
    }
}
