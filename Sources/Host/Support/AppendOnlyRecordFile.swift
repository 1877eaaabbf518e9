import Foundation

/// A file of records, one per line, that only grows until it is rewritten: the form of the gateway's small
/// embedded records (idempotency receipts, conversation owners) that must survive a restart, SIGKILL included.
///
/// Each line goes out with `write(2)` as it is appended, so a killed process leaves it in the page cache. A
/// write the disk refuses (full, I/O error) never traps: the bytes stay in memory, go out as soon as the disk
/// takes them again, and ``problem`` says why meanwhile. Not thread-safe: one actor owns each file.
final class AppendOnlyRecordFile {
    let path: String
    /// The descriptor appended to; this type owns it and closes it.
    private var descriptor: Int32
    /// Lines the disk has not taken yet, oldest first (written before any newer line).
    private var unwritten: [UInt8] = []
    /// Lines in the file (written or waiting), for deciding when to rewrite it.
    private(set) var lineCount = 0
    /// Why the last write failed, or nil once everything is written.
    private(set) var problem: String?

    /// Opens `path` (creating it and its folder) and returns the complete lines already in it; a line cut
    /// short by a crash mid-write is dropped. A file that exists but cannot be read is an error, not an empty
    /// record.
    /// - Parameter writePath: where lines are appended — `path` except in tests, which point it at a device
    ///   that refuses writes (`/dev/full`).
    init(path: String, writingTo writePath: String? = nil, lines: inout [[UInt8]]) throws {
        self.path = path
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw RecordFileError(path: path, operation: "create its folder", reason: "\(error)")
        }
        if manager.fileExists(atPath: path) {
            guard let contents = manager.contents(atPath: path) else {
                throw RecordFileError(path: path, operation: "read it", reason: "not a readable file")
            }
            lines = contents.split(separator: UInt8(ascii: "\n")).map { Array($0) }
            lineCount = lines.count
            // The next line must start a line of its own, not continue a cut one.
            if let last = contents.last, last != UInt8(ascii: "\n") { unwritten = [UInt8(ascii: "\n")] }
        }
        descriptor = try Self.openForAppending(writePath ?? path, reportedAs: path)
    }

    deinit {
        close(descriptor)
    }

    /// Appends one line (without its newline) and writes what waits.
    func append(_ line: [UInt8]) {
        unwritten.append(contentsOf: line)
        unwritten.append(UInt8(ascii: "\n"))
        lineCount += 1
        flush()
    }

    /// Writes what waits in memory; on a refusal keeps the rest and records why.
    func flush() {
        while !unwritten.isEmpty {
            let written = unwritten.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                unwritten.removeFirst(written)
            } else if written < 0, errno == EINTR {
                continue
            } else {
                let reason = written < 0 ? String(cString: strerror(errno)) : "the disk took no bytes"
                problem = RecordFileError(path: path, operation: "write", reason: reason).description
                    + " (\(unwritten.count) bytes kept in memory)"
                return
            }
        }
        problem = nil
    }

    /// Replaces the file with `lines`, atomically (a fresh file renamed over it). On failure the old file and
    /// everything waiting stay as they were, and the caller tries again later.
    func rewrite(_ lines: [[UInt8]]) -> Bool {
        var bytes: [UInt8] = []
        for line in lines {
            bytes.append(contentsOf: line)
            bytes.append(UInt8(ascii: "\n"))
        }
        let temporary = path + ".compact"
        guard (try? Data(bytes).write(to: URL(fileURLWithPath: temporary))) != nil, rename(temporary, path) == 0,
            let fresh = try? Self.openForAppending(path, reportedAs: path)
        else { return false }
        close(descriptor)
        descriptor = fresh
        // The rewrite holds every line, the ones the old file never took included.
        unwritten = []
        problem = nil
        lineCount = lines.count
        return true
    }

    private static func openForAppending(_ path: String, reportedAs reported: String) throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw RecordFileError(path: reported, operation: "open it for writing", reason: String(cString: strerror(errno)))
        }
        return descriptor
    }
}

/// A record file could not be read or written.
public struct RecordFileError: Error, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var reason: String

    public var description: String { "record file \(path): cannot \(operation): \(reason)" }
}
