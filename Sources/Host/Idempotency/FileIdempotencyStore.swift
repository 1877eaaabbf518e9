import Foundation
import Synchronization

/// An ``IdempotencyStore`` that survives a restart (SIGKILL included): an append-only file of JSON lines,
/// read back at start, rewritten when it holds twice `capacity` entries (the newest `capacity` are kept).
///
/// Each record is written with `write(2)` before the message is acked, so a killed process leaves it in
/// the page cache; only a machine crash can lose the last ones. A write the disk refuses (full, I/O error)
/// never crashes the gateway: the bytes stay in memory, are written as soon as the disk takes them again,
/// and meanwhile ``writeProblem`` says why — `/ready` reports it and queued sends wait for it to clear.
public actor FileIdempotencyStore: IdempotencyStore {
    private let path: String
    private let capacity: Int
    private var entries: [String: DeliveryReceipt] = [:]
    private var order: [String] = []
    /// The append-only descriptor; this actor owns it and closes it.
    private var descriptor: Int32
    /// Record lines the disk has not taken yet, oldest first (written before any newer line).
    private var unwritten: [UInt8] = []
    private var linesInFile = 0
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
        try self.init(path: path, capacity: capacity, writingTo: path)
    }

    /// - Parameter writePath: where records are appended — `path` except in tests, which point it at a device
    ///   that refuses writes (`/dev/full`).
    init(path: String, capacity: Int, writingTo writePath: String) throws {
        self.path = path
        self.capacity = capacity
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw IdempotencyStoreError(path: path, operation: "create its folder", reason: "\(error)")
        }
        if manager.fileExists(atPath: path) {
            guard let contents = manager.contents(atPath: path) else {
                throw IdempotencyStoreError(path: path, operation: "read it", reason: "not a readable file")
            }
            // A line cut short by a crash mid-write is skipped; every complete line is kept.
            for line in contents.split(separator: UInt8(ascii: "\n")) {
                guard let entry = try? JSONDecoder().decode(Line.self, from: Data(line)) else { continue }
                let receipt = Self.receipt(entry)
                if entries.updateValue(receipt, forKey: receipt.idempotencyKey) == nil { order.append(receipt.idempotencyKey) }
                linesInFile += 1
            }
            // The next record must start a line of its own, not continue a cut one.
            if let last = contents.last, last != UInt8(ascii: "\n") { unwritten = [UInt8(ascii: "\n")] }
        }
        descriptor = try Self.openForAppending(writePath, reportedAs: path)
    }

    deinit {
        close(descriptor)
    }

    public nonisolated var writeProblem: String? { problem.withLock { $0 } }

    public func record(_ receipt: DeliveryReceipt) {
        if entries.updateValue(receipt, forKey: receipt.idempotencyKey) == nil { order.append(receipt.idempotencyKey) }
        if let line = Self.encode(receipt) {
            unwritten.append(contentsOf: line)
            linesInFile += 1
        }
        flush()
        if linesInFile > 2 * capacity { compact() }
    }

    public func retryWrites() {
        flush()
    }

    public func receipt(for messageID: String, tenantID: String) -> DeliveryReceipt? {
        entries[DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)]
    }

    public var count: Int { entries.count }

    /// Writes what waits in `unwritten`; on a refusal keeps the rest and says why.
    private func flush() {
        while !unwritten.isEmpty {
            let written = unwritten.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                unwritten.removeFirst(written)
            } else if written < 0, errno == EINTR {
                continue
            } else {
                let reason = written < 0 ? String(cString: strerror(errno)) : "the disk took no bytes"
                problem.withLock {
                    $0 = IdempotencyStoreError(path: path, operation: "write", reason: reason).description
                        + " (\(unwritten.count) bytes kept in memory; queued sends wait)"
                }
                return
            }
        }
        problem.withLock { $0 = nil }
    }

    /// Keeps the newest `capacity` entries, in a fresh file swapped in atomically.
    private func compact() {
        let keptOrder = Array(order.suffix(capacity))
        let kept = Set(keptOrder)
        var bytes: [UInt8] = []
        for key in keptOrder {
            guard let receipt = entries[key], let line = Self.encode(receipt) else { continue }
            bytes.append(contentsOf: line)
        }
        // Memory is pruned either way; a failed rewrite only leaves the longer file, tried again after as many
        // lines once more (not at every record).
        entries = entries.filter { kept.contains($0.key) }
        order = keptOrder
        let temporary = path + ".compact"
        guard (try? Data(bytes).write(to: URL(fileURLWithPath: temporary))) != nil, rename(temporary, path) == 0,
            let fresh = try? Self.openForAppending(path, reportedAs: path)
        else {
            linesInFile = capacity
            return
        }
        // The rewrite holds every entry, the ones the old file never took included.
        close(descriptor)
        descriptor = fresh
        unwritten = []
        problem.withLock { $0 = nil }
        linesInFile = order.count
    }

    private static func openForAppending(_ path: String, reportedAs reported: String) throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw IdempotencyStoreError(path: reported, operation: "open it for writing", reason: String(cString: strerror(errno)))
        }
        return descriptor
    }

    private static func encode(_ receipt: DeliveryReceipt) -> [UInt8]? {
        let line = Line(
            id: receipt.messageID, tenant: receipt.org.tenantID, org: receipt.org.orgName, genesysId: receipt.genesysMessageID,
            conversationId: receipt.conversationID, correlationId: receipt.correlationID)
        guard let data = try? JSONEncoder().encode(line) else { return nil }
        return Array(data) + [UInt8(ascii: "\n")]
    }

    private static func receipt(_ line: Line) -> DeliveryReceipt {
        DeliveryReceipt(
            messageID: line.id, org: OrgKey(tenantID: line.tenant, orgName: line.org), genesysMessageID: line.genesysId,
            conversationID: line.conversationId, correlationID: line.correlationId, genesysDuration: .zero)
    }
}
