import Foundation
import GatewayCore

/// One generation of the idempotency record: a log of receipt lines (`receipts-<number>-<start>.jsonl`, JSON lines
/// as the record always wrote) and its index (`….idx`, ``ReceiptIndexFile``). The newest generation is appended to;
/// older ones are only read, and go whole, both files, once everything in them is older than the record keeps.
///
/// The log is the authority: an index that is missing or not one (a crash while it was being created) is built
/// again from its log when the generation is opened.
final class ReceiptGeneration {
    let number: Int
    /// When the generation started, from its file name: everything in it is at least this recent.
    let started: Date
    let logPath: String
    let index: ReceiptIndexFile
    /// Appends to the log; nil for a generation only read.
    private(set) var log: AppendOnlyRecordFile?
    private let reader: RandomAccessFile
    /// The longest receipt line read back; a line longer than this is not one the record wrote.
    private static let longestLine = 8192

    /// A line's key and where it starts; what an index is built from.
    struct Entry {
        var key: String
        var offset: UInt64
    }

    /// Creates generation `number` in `directory`, appended to.
    static func create(
        directory: String, number: Int, started: Date, slotCount: UInt64, hashKey: [UInt8]?, writingTo writePath: String?
    ) throws -> ReceiptGeneration {
        let logPath = directory + "/" + fileName(number: number, started: started)
        let log = try AppendOnlyRecordFile(appendingTo: logPath, writingTo: writePath)
        let index = try ReceiptIndexFile.create(path: indexPath(of: logPath), slotCount: slotCount, hashKey: hashKey)
        return try ReceiptGeneration(number: number, started: started, logPath: logPath, index: index, log: log)
    }

    /// Opens the generation whose log is `logPath` (a name ``parse(fileName:)`` read), appended to when
    /// `appending`; its index is rebuilt from the log when it is not usable, with `entries` reading the log's keys.
    static func open(
        logPath: String, number: Int, started: Date, appending: Bool, writingTo writePath: String?,
        entries: (ReceiptGeneration.LogScan) throws -> [Entry]
    ) throws -> ReceiptGeneration {
        let log = try appending ? AppendOnlyRecordFile(appendingTo: logPath, writingTo: writePath) : nil
        if let index = try? ReceiptIndexFile(opening: indexPath(of: logPath)) {
            return try ReceiptGeneration(number: number, started: started, logPath: logPath, index: index, log: log)
        }
        let found = try entries(LogScan(path: logPath))
        let slots = ReceiptGeneration.slotCount(for: UInt64(found.count))
        let index = try ReceiptIndexFile.create(path: indexPath(of: logPath) + ".new", slotCount: slots, hashKey: nil)
        for entry in found {
            _ = try index.insert(hash: index.hash(of: entry.key), offset: entry.offset)
        }
        try index.saveUsed()
        guard rename(indexPath(of: logPath) + ".new", indexPath(of: logPath)) == 0 else {
            throw RecordFileError(path: indexPath(of: logPath), operation: "put the rebuilt index in place", reason: String(cString: strerror(errno)))
        }
        return try ReceiptGeneration(number: number, started: started, logPath: logPath, index: index, log: log)
    }

    private init(number: Int, started: Date, logPath: String, index: ReceiptIndexFile, log: AppendOnlyRecordFile?) throws {
        self.number = number
        self.started = started
        self.logPath = logPath
        self.index = index
        self.log = log
        reader = try RandomAccessFile(path: logPath, writable: false, create: log != nil)
    }

    /// Slots for an index to hold `entries` at most half full (probes stay short), at least `smallest`.
    static func slotCount(for entries: UInt64, atLeast smallest: UInt64 = 1 << 16) -> UInt64 {
        var slots = max(smallest, 1)
        while slots / 2 < entries, slots < 1 << 34 { slots <<= 1 }
        return slots
    }

    /// Appends `line` for `key`: the index first, so that a crash between the two leaves an index entry that
    /// points at no line of this key (skipped), never a line the index cannot find.
    /// - Parameter found: this generation's lookup of the key (``lines(matching:)``), when one was made: its hash
    ///   and where the insert goes.
    /// - Returns: false when the index is too full to take it (nothing was written): start a new generation.
    func append(_ line: [UInt8], key: String, found: (hash: UInt64, hint: ReceiptIndexFile.InsertHint?)? = nil) throws -> Bool {
        guard let log else { return false }
        let hash = found?.hash ?? index.hash(of: key)
        guard try index.insert(hash: hash, offset: log.endOffset, hint: found?.hint) else { return false }
        log.append(line)
        return true
    }

    /// The lines of key hash `hash` in this generation (candidates: the caller compares the key), oldest first,
    /// and where an insert of the hash would go.
    func lines(matching hash: UInt64) throws -> (lines: [[UInt8]], hint: ReceiptIndexFile.InsertHint?) {
        let found = try index.lookUp(hash)
        let lines = try found.offsets.compactMap { offset -> [UInt8]? in
            let bytes = try reader.read(at: offset, count: Self.longestLine)
            guard let end = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            return Array(bytes[..<end])
        }
        return (lines, found.hint)
    }

    /// Stops appending: the generation is only read from now on.
    func seal() {
        try? index.saveUsed()
        log = nil
    }

    /// Deletes both files.
    func remove() {
        log = nil
        unlink(Self.indexPath(of: logPath))
        unlink(logPath)
    }

    static func fileName(number: Int, started: Date) -> String {
        "receipts-\(number)-\(Int64(saturating: started.timeIntervalSince1970.rounded(.down))).jsonl"
    }

    /// Number and start of a generation's log file name; nil for any other file.
    static func parse(fileName: String) -> (number: Int, started: Date)? {
        guard fileName.hasPrefix("receipts-"), fileName.hasSuffix(".jsonl") else { return nil }
        let parts = fileName.dropFirst("receipts-".count).dropLast(".jsonl".count).split(separator: "-")
        guard parts.count == 2, let number = Int(parts[0]), number >= 0, let seconds = Int64(parts[1]) else { return nil }
        return (number, Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func indexPath(of logPath: String) -> String {
        String(logPath.dropLast(".jsonl".count)) + ".idx"
    }

    /// A generation's log read from the start in large pieces, a line at a time (to rebuild its index).
    struct LogScan {
        let path: String

        /// Calls `body` with each complete line and its offset.
        func forEachLine(_ body: ([UInt8], UInt64) -> Void) throws {
            let file = try RandomAccessFile(path: path, writable: false)
            var offset: UInt64 = 0
            var pending: [UInt8] = []
            var pendingStart: UInt64 = 0
            while true {
                let chunk = try file.read(at: offset, count: 1 << 20)
                if chunk.isEmpty { return }
                var lineStart = 0
                for (position, byte) in chunk.enumerated() where byte == UInt8(ascii: "\n") {
                    pending += chunk[lineStart..<position]
                    if !pending.isEmpty { body(pending, pendingStart) }
                    pending = []
                    lineStart = position + 1
                    pendingStart = offset + UInt64(lineStart)
                }
                pending += chunk[lineStart...]
                offset += UInt64(chunk.count)
            }
        }
    }
}
