import Foundation

/// A file of records, one per line, that only grows until it is rewritten: the form of the gateway's small
/// embedded records (idempotency receipts, conversation owners) that must survive a restart, SIGKILL included.
///
/// Each line goes out with `write(2)` as it is appended, so a killed process leaves it in the page cache. A
/// write the disk refuses (full, I/O error) never traps: the bytes stay in memory, go out as soon as the disk
/// takes them again, and ``problem`` says why meanwhile. Not thread-safe: one actor owns each file.
package final class AppendOnlyRecordFile {
    let path: String
    /// The descriptor appended to; this type owns it and closes it.
    private var descriptor: Int32
    /// Lines the disk has not taken yet, oldest first (written before any newer line).
    private var unwritten: [UInt8] = []
    /// Lines in the file (written or waiting), for deciding when to rewrite it.
    package private(set) var lineCount = 0
    /// Where the next line starts: the file's size once everything waiting is written.
    package private(set) var endOffset: UInt64 = 0
    /// Why the last write failed, or nil once everything is written.
    package private(set) var problem: String?
    /// While a rewrite runs: the lines appended since its snapshot was taken.
    private var linesSinceSnapshot: [[UInt8]]?

    /// Opens `path` (creating it and its folder) and returns the complete lines already in it; a line cut
    /// short by a crash mid-write is dropped. A file that exists but cannot be read is an error, not an empty
    /// record.
    /// - Parameter writePath: where lines are appended — `path` except in tests, which point it at a device
    ///   that refuses writes (`/dev/full`).
    package init(path: String, writingTo writePath: String? = nil, lines: inout [[UInt8]]) throws {
        self.path = path
        try Self.createFolder(of: path)
        var cutShort = false
        if FileManager.default.fileExists(atPath: path) {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw RecordFileError(path: path, operation: "read it", reason: "not a readable file")
            }
            lines = contents.split(separator: UInt8(ascii: "\n")).map { Array($0) }
            lineCount = lines.count
            endOffset = UInt64(contents.count)
            cutShort = contents.last.map { $0 != UInt8(ascii: "\n") } ?? false
        }
        descriptor = try Self.openForAppending(writePath ?? path, reportedAs: path)
        if cutShort { startNewLine() }
    }

    /// Opens `path` (creating it and its folder) to append to it without reading it back: for records too large
    /// to hold, read at offsets instead (``endOffset``). ``lineCount`` counts only the lines appended since.
    package init(appendingTo path: String, writingTo writePath: String? = nil) throws {
        self.path = path
        try Self.createFolder(of: path)
        var cutShort = false
        if FileManager.default.fileExists(atPath: path) {
            let file = try RandomAccessFile(path: path, writable: false)
            endOffset = try file.size()
            cutShort = try endOffset > 0 && file.read(at: endOffset - 1, count: 1) != [UInt8(ascii: "\n")]
        }
        descriptor = try Self.openForAppending(writePath ?? path, reportedAs: path)
        if cutShort { startNewLine() }
    }

    private static func createFolder(of path: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw RecordFileError(path: path, operation: "create its folder", reason: "\(error)")
        }
    }

    /// The next line must start a line of its own, not continue one a crash cut short.
    private func startNewLine() {
        unwritten = [UInt8(ascii: "\n")]
        endOffset += 1
    }

    deinit {
        close(descriptor)
    }

    /// Appends one line (without its newline) and writes what waits.
    package func append(_ line: [UInt8]) {
        linesSinceSnapshot?.append(line)
        endOffset += UInt64(line.count + 1)
        unwritten.append(contentsOf: line)
        unwritten.append(UInt8(ascii: "\n"))
        lineCount += 1
        flush()
    }

    /// Writes what waits in memory; on a refusal keeps the rest and records why.
    package func flush() {
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
    package func rewrite(_ lines: [[UInt8]]) -> Bool {
        beginRewrite()
        return finishRewrite(written: Self.writeSnapshot(lines, to: rewritePath), snapshotLines: lines.count)
    }

    /// Where a rewrite's snapshot is written before it is renamed over the file.
    package var rewritePath: String { path + ".compact" }

    /// Starts a rewrite in two halves, so that the owner can build and write a large snapshot off its own
    /// executor (``writeSnapshot(_:to:)``) while it keeps appending: lines appended from now on go to the
    /// file as usual and are also kept, to be added after the snapshot by ``finishRewrite(written:snapshotLines:)``.
    /// The snapshot must hold every line appended before this call.
    package func beginRewrite() {
        linesSinceSnapshot = []
    }

    /// Writes `lines` to a fresh `temporary` file; safe on any thread (it touches no instance).
    package static func writeSnapshot(_ lines: [[UInt8]], to temporary: String) -> Bool {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines {
            bytes.append(contentsOf: line)
            bytes.append(UInt8(ascii: "\n"))
        }
        return (try? Data(bytes).write(to: URL(fileURLWithPath: temporary))) != nil
    }

    /// Ends the rewrite ``beginRewrite()`` started: adds the lines appended since to the snapshot and renames
    /// it over the file. On failure (`written` false, or the disk refusing the rest) the old file and
    /// everything waiting stay as they were.
    /// - Returns: whether the file was replaced.
    package func finishRewrite(written: Bool, snapshotLines: Int) -> Bool {
        let since = linesSinceSnapshot ?? []
        linesSinceSnapshot = nil
        guard written, let fresh = try? Self.openForAppending(rewritePath, reportedAs: rewritePath) else {
            unlink(rewritePath)
            return false
        }
        var rest = since.flatMap { $0 + [UInt8(ascii: "\n")] }
        while !rest.isEmpty {
            let count = rest.withUnsafeBytes { write(fresh, $0.baseAddress, $0.count) }
            if count > 0 {
                rest.removeFirst(count)
            } else if !(count < 0 && errno == EINTR) {
                close(fresh)
                unlink(rewritePath)
                return false
            }
        }
        guard rename(rewritePath, path) == 0 else {
            close(fresh)
            unlink(rewritePath)
            return false
        }
        close(descriptor)
        descriptor = fresh
        // The new file holds every line, the ones the old file never took included.
        unwritten = []
        problem = nil
        lineCount = snapshotLines + since.count
        var status = stat()
        endOffset = fstat(fresh, &status) == 0 ? UInt64(clamping: status.st_size) : 0
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

    package init(path: String, operation: String, reason: String) {
        self.path = path
        self.operation = operation
        self.reason = reason
    }

    public var description: String { "record file \(path): cannot \(operation): \(reason)" }
}
