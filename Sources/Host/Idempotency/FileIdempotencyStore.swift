import Foundation
import Synchronization

/// An ``IdempotencyStore`` that survives a restart (SIGKILL included): an append-only file of JSON lines,
/// read back at start, rewritten when it holds twice `capacity` entries (the newest `capacity` are kept).
///
/// Each record is written before the message is acked (``AppendOnlyRecordFile``). A write the disk refuses
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

    private struct Line: Codable {
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
        for line in lines {
            guard let entry = try? JSONDecoder().decode(Line.self, from: Data(line)) else { continue }
            let receipt = Self.receipt(entry)
            if entries.updateValue(receipt, forKey: receipt.idempotencyKey) == nil { order.append(receipt.idempotencyKey) }
        }
    }

    public nonisolated var writeProblem: String? { problem.withLock { $0 } }

    public func record(_ receipt: DeliveryReceipt) {
        if entries.updateValue(receipt, forKey: receipt.idempotencyKey) == nil { order.append(receipt.idempotencyKey) }
        if let line = Self.encode(receipt) { file.append(line) }
        if file.lineCount > compactAt { compact() }
        publishProblem()
    }

    public func retryWrites() {
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

    /// Keeps the newest `capacity` entries. Memory is pruned either way; a failed rewrite only leaves the
    /// longer file, tried again after as many lines once more (not at every record).
    private func compact() {
        let keptOrder = Array(order.suffix(capacity))
        let kept = Set(keptOrder)
        entries = entries.filter { kept.contains($0.key) }
        order = keptOrder
        compactAt = file.rewrite(keptOrder.compactMap { entries[$0].flatMap(Self.encode) })
            ? 2 * capacity : file.lineCount + capacity
    }

    private static func encode(_ receipt: DeliveryReceipt) -> [UInt8]? {
        let line = Line(
            id: receipt.messageID, tenant: receipt.org.tenantID, org: receipt.org.orgName, genesysId: receipt.genesysMessageID,
            conversationId: receipt.conversationID, correlationId: receipt.correlationID)
        return (try? JSONEncoder().encode(line)).map(Array.init)
    }

    private static func receipt(_ line: Line) -> DeliveryReceipt {
        DeliveryReceipt(
            messageID: line.id, org: OrgKey(tenantID: line.tenant, orgName: line.org), genesysMessageID: line.genesysId,
            conversationID: line.conversationId, correlationID: line.correlationId, genesysDuration: .zero)
    }
}
