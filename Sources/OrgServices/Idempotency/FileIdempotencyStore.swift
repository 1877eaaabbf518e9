import Foundation
import GatewayCore
import PluginKit
import Synchronization

/// An ``IdempotencyStore`` that survives a restart (SIGKILL included): an append-only file of JSON lines,
/// read back at start, rewritten when it holds twice `capacity` entries (the newest `capacity` are kept).
///
/// Each record is written before the message is acked (``AppendOnlyRecordFile``). A send also leaves a
/// `sending` line before the HTTP call and an `ended` line when Genesys did not take it, so a send a SIGKILL
/// cut short is known after the restart (``wasInterrupted(_:tenantID:)``) and its redelivery is reported as a
/// possible duplicate. A write the disk refuses
/// never crashes the gateway: ``writeProblem`` says why until the disk takes the record — `/ready` reports it
/// and queued sends wait for it to clear.
public actor FileIdempotencyStore: IdempotencyStore {
    private let capacity: Int
    private var entries: [String: DeliveryReceipt] = [:]
    private var order: [String] = []
    private let file: AppendOnlyRecordFile
    /// The file is rewritten when it holds more lines than this.
    private var compactAt: Int
    private nonisolated let problem = Mutex<String?>(nil)
    /// The file's rewrite, while one runs.
    private var compaction: Task<Void, Never>?

    /// Sends begun and not yet recorded or ended in this run, and those a previous run left open.
    private var open: Set<String> = []
    private var interrupted: Set<String> = []

    /// A `sending` or `ended` line (a receipt line has `org`; these do not).
    private struct SendMark: Decodable {
        var event: String
        var id: String
        var tenant: String
    }

    private struct Line: Decodable {
        var id: String
        var tenant: String
        var org: String
        var genesysId: String?
        var conversationId: String?
        var correlationId: String?
    }

    /// Reads the record back; a file that exists but cannot be read is an error, not an empty record.
    public init(path: String, capacity: Int = 1_000_000) throws {
        try self.init(path: path, capacity: capacity, writingTo: nil)
    }

    /// - Parameter writePath: see ``AppendOnlyRecordFile``; tests only.
    init(path: String, capacity: Int, writingTo writePath: String?) throws {
        self.capacity = capacity
        compactAt = 2 * capacity
        var lines: [[UInt8]] = []
        file = try AppendOnlyRecordFile(path: path, writingTo: writePath, lines: &lines)
        let decoder = JSONDecoder()
        for line in lines {
            if let entry = try? decoder.decode(Line.self, from: Data(line)) {
                let receipt = Self.receipt(entry)
                if entries.updateValue(receipt, forKey: receipt.idempotencyKey) == nil { order.append(receipt.idempotencyKey) }
                open.remove(receipt.idempotencyKey)
            } else if let mark = try? decoder.decode(SendMark.self, from: Data(line)) {
                let key = DeliveryReceipt.idempotencyKey(tenantID: mark.tenant, messageID: mark.id)
                if mark.event == Self.sending { open.insert(key) } else { open.remove(key) }
            }
        }
        interrupted = open
        open = []
    }

    private static let sending = "sending"
    private static let ended = "ended"

    // `async` although they never suspend: with the protocol's no-op defaults in view, an isolated synchronous
    // method loses overload resolution to them at `await store.method()` call sites.
    /// A receipt already kept stops the send whoever asks, so a caller without a receipt check of its own
    /// (``FailedReceiptReporter``) does not send a message twice either.
    public func sendStarting(_ messageID: String, tenantID: String) async -> SendStart {
        let key = DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)
        if let receipt = entries[key] { return .alreadySent(receipt) }
        open.insert(key)
        mark(Self.sending, messageID, tenantID)
        return .clear
    }

    public func sendEnded(_ messageID: String, tenantID: String) async {
        open.remove(DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID))
        mark(Self.ended, messageID, tenantID)
    }

    public func wasInterrupted(_ messageID: String, tenantID: String) async -> Bool {
        interrupted.remove(DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)) != nil
    }

    private func mark(_ event: String, _ messageID: String, _ tenantID: String) {
        file.append(Self.encode(SendMark(event: event, id: messageID, tenant: tenantID)))
        publishProblem()
    }

    public nonisolated var writeProblem: String? { problem.withLock { $0 } }

    public func record(_ receipt: DeliveryReceipt) {
        if entries.updateValue(receipt, forKey: receipt.idempotencyKey) == nil { order.append(receipt.idempotencyKey) }
        open.remove(receipt.idempotencyKey)
        interrupted.remove(receipt.idempotencyKey)
        file.append(Self.encode(receipt))
        if file.lineCount > compactAt { compact() }
        publishProblem()
    }

    public func retryWrites() async {
        file.flush()
        publishProblem()
    }

    public func receipt(for messageID: String, tenantID: String) -> DeliveryReceipt? {
        entries[DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)]
    }

    public var count: Int { entries.count }

    private func publishProblem() {
        let current = file.problem.map { $0 + "; queued sends wait" }
        problem.withLock { $0 = current }
    }

    /// Keeps the newest `capacity` entries. Memory is pruned at once; the file is rewritten off the actor
    /// (a million receipts take seconds to encode and write, and every lookup would wait for them), while
    /// records keep being appended. A failed rewrite only leaves the longer file, tried again after as many
    /// lines once more (not at every record).
    private func compact() {
        guard compaction == nil else { return }
        let keptOrder = Array(order.suffix(capacity))
        let kept = Set(keptOrder)
        entries = entries.filter { kept.contains($0.key) }
        order = keptOrder
        let receipts = keptOrder.compactMap { entries[$0] }
        // Sends still open (this run's and a previous run's) keep their `sending` line.
        let marks = open.union(interrupted).compactMap { key -> SendMark? in
            guard let separator = key.firstIndex(of: "\u{1F}") else { return nil }
            return SendMark(event: Self.sending, id: String(key[key.index(after: separator)...]), tenant: String(key[..<separator]))
        }
        file.beginRewrite()
        let temporary = file.rewritePath
        compaction = Task.detached { [self] in
            let lines = receipts.map(Self.encode) + marks.map(Self.encode)
            let written = AppendOnlyRecordFile.writeSnapshot(lines, to: temporary)
            await finishCompaction(written: written, snapshotLines: lines.count)
        }
    }

    private func finishCompaction(written: Bool, snapshotLines: Int) {
        compaction = nil
        compactAt = file.finishRewrite(written: written, snapshotLines: snapshotLines) ? 2 * capacity : file.lineCount + capacity
        publishProblem()
    }

    /// Waits for a rewrite under way (tests).
    func compactionFinished() async {
        await compaction?.value
    }

    /// A receipt as a ``Line``, written directly: `JSONEncoder` here and for the send marks cost 7 % of the
    /// gateway's CPU flat out (profile in docs/benchmarks.md).
    private static func encode(_ receipt: DeliveryReceipt) -> [UInt8] {
        var line = JSONObjectWriter(capacity: 192)
        line.add("id", receipt.messageID)
        line.add("tenant", receipt.org.tenantID)
        line.add("org", receipt.org.orgName)
        line.add("genesysId", receipt.genesysMessageID)
        line.add("conversationId", receipt.conversationID)
        line.add("correlationId", receipt.correlationID)
        return line.finish()
    }

    private static func encode(_ mark: SendMark) -> [UInt8] {
        var line = JSONObjectWriter(capacity: 96)
        line.add("event", mark.event)
        line.add("id", mark.id)
        line.add("tenant", mark.tenant)
        return line.finish()
    }

    private static func receipt(_ line: Line) -> DeliveryReceipt {
        DeliveryReceipt(
            messageID: line.id, org: OrgKey(tenantID: line.tenant, orgName: line.org), genesysMessageID: line.genesysId,
            conversationID: line.conversationId, correlationID: line.correlationId, genesysDuration: .zero)
    }
}
