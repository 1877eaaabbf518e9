import Foundation

/// An ``IdempotencyStore`` that survives a restart (SIGKILL included): an append-only file of JSON lines,
/// read back at start, rewritten when it holds twice `capacity` entries (the newest `capacity` are kept).
///
/// Each record is written with one `write(2)` before the message is acked, so a killed process leaves it in
/// the page cache; only a machine crash can lose the last ones.
public actor FileIdempotencyStore: IdempotencyStore {
    private let path: String
    private let capacity: Int
    private var entries: [String: DeliveryReceipt] = [:]
    private var order: [String] = []
    private var handle: FileHandle
    private var linesInFile = 0

    private struct Line: Codable {
        var id: String
        var tenant: String
        var org: String
        var genesysId: String?
        var conversationId: String?
        var correlationId: String?
    }

    public init(path: String, capacity: Int = 1_000_000) throws {
        self.path = path
        self.capacity = capacity
        let manager = FileManager.default
        try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if !manager.fileExists(atPath: path) { _ = manager.createFile(atPath: path, contents: nil) }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            guard let entry = try? JSONDecoder().decode(Line.self, from: Data(line.utf8)) else { continue }
            let receipt = Self.receipt(entry)
            if entries.updateValue(receipt, forKey: receipt.idempotencyKey) == nil { order.append(receipt.idempotencyKey) }
            linesInFile += 1
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    public func record(_ receipt: DeliveryReceipt) {
        if entries.updateValue(receipt, forKey: receipt.idempotencyKey) == nil { order.append(receipt.idempotencyKey) }
        let line = Line(
            id: receipt.messageID, tenant: receipt.org.tenantID, org: receipt.org.orgName, genesysId: receipt.genesysMessageID,
            conversationId: receipt.conversationID, correlationId: receipt.correlationID)
        if var data = try? JSONEncoder().encode(line) {
            data.append(UInt8(ascii: "\n"))
            handle.write(data)
            linesInFile += 1
        }
        if linesInFile > 2 * capacity { compact() }
    }

    public func receipt(for messageID: String, tenantID: String) -> DeliveryReceipt? {
        entries[DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)]
    }

    public var count: Int { entries.count }

    /// Keeps the newest `capacity` entries, in a fresh file swapped in atomically.
    private func compact() {
        let keptOrder = Array(order.suffix(capacity))
        let kept = Set(keptOrder)
        var text = ""
        for key in keptOrder {
            guard let receipt = entries[key] else { continue }
            let line = Line(
                id: receipt.messageID, tenant: receipt.org.tenantID, org: receipt.org.orgName, genesysId: receipt.genesysMessageID,
                conversationId: receipt.conversationID, correlationId: receipt.correlationID)
            if let data = try? JSONEncoder().encode(line) { text += String(decoding: data, as: UTF8.self) + "\n" }
        }
        // Memory is pruned either way; a failed rewrite only leaves the longer file, tried again after as many
        // lines once more (not at every record).
        entries = entries.filter { kept.contains($0.key) }
        order = keptOrder
        let temporary = path + ".compact"
        guard (try? text.write(toFile: temporary, atomically: false, encoding: .utf8)) != nil,
              rename(temporary, path) == 0, let fresh = FileHandle(forWritingAtPath: path)
        else {
            linesInFile = capacity
            return
        }
        handle.closeFile()
        fresh.seekToEndOfFile()
        handle = fresh
        linesInFile = order.count
    }

    private static func receipt(_ line: Line) -> DeliveryReceipt {
        DeliveryReceipt(
            messageID: line.id, org: OrgKey(tenantID: line.tenant, orgName: line.org), genesysMessageID: line.genesysId,
            conversationID: line.conversationId, correlationID: line.correlationId, genesysDuration: .zero)
    }
}
