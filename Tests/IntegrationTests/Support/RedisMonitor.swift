import Foundation
import RedisClient

/// `redis-cli monitor` against a redis-server of the test's own: every command the server runs, in the order it
/// ran them, those a script runs included (right after the `EVALSHA` that ran them, marked `[0 lua]`). What
/// `INFO commandstats` counts by name, this says who asked for, with which key.
final class RedisMonitor: @unchecked Sendable {
    /// One command as the server ran it.
    struct Line: Equatable {
        /// Run by a script (`[0 lua]`), not sent by a client.
        var fromScript: Bool
        /// The command and its arguments, as the client sent them.
        var arguments: [String]
        /// The command name in lower case, as `INFO commandstats` names it.
        var command: String { arguments.first?.lowercased() ?? "" }
    }

    private let process: Process
    private let path: String

    /// Starts `redis-cli monitor` and waits until the server confirmed it (its `OK`).
    init(url: RedisURL) throws {
        path = NSTemporaryDirectory() + "ggw-redis-monitor-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? output.close() }  // the child has its own copy
        process = try ScriptProcess.start(["redis-cli", "-h", url.host, "-p", String(url.port), "monitor"], output: output)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if (try? String(contentsOfFile: path, encoding: .utf8))?.hasPrefix("OK") == true { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        stop()
        throw GatewayHarness.HarnessError(message: "redis-cli monitor did not start on \(url) (is redis-cli installed?)")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Stops redis-cli with SIGKILL: a child of the test process does not always act on SIGTERM (as with
    /// ``PrivateRedisServer``), and its output is on disk already.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        _ = ScriptProcess.wait(for: process)
    }

    /// The commands seen so far.
    func lines() throws -> [Line] {
        try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).compactMap(Self.parse)
    }

    /// Waits until the commands seen so far satisfy `done` (redis-cli writes each line as it comes), at most `timeout`.
    func lines(until done: ([Line]) -> Bool, timeout: Duration = .seconds(5)) async throws -> [Line] {
        let deadline = ContinuousClock.now + timeout
        var seen = try lines()
        while !done(seen), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            seen = try lines()
        }
        return seen
    }

    /// `1796617170.539145 [0 127.0.0.1:57050] "SET" "key" "va\"lue"` → a line; nil for anything else (the `OK`).
    static func parse(_ text: Substring) -> Line? {
        guard let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]") else { return nil }
        let source = text[text.index(after: open)..<close]
        var arguments: [String] = []
        var current: [UInt8]?
        var bytes = Array(text[text.index(after: close)...].utf8)[...]
        while let byte = bytes.popFirst() {
            guard current != nil else {
                if byte == UInt8(ascii: "\"") { current = [] }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                arguments.append(String(decoding: current!, as: UTF8.self))
                current = nil
            case UInt8(ascii: "\\"):
                guard let escaped = bytes.popFirst() else { break }
                switch escaped {
                case UInt8(ascii: "n"): current!.append(0x0A)
                case UInt8(ascii: "r"): current!.append(0x0D)
                case UInt8(ascii: "t"): current!.append(0x09)
                case UInt8(ascii: "a"): current!.append(0x07)
                case UInt8(ascii: "b"): current!.append(0x08)
                case UInt8(ascii: "x"):
                    let hex = String(decoding: [bytes.popFirst() ?? 0, bytes.popFirst() ?? 0], as: UTF8.self)
                    current!.append(UInt8(hex, radix: 16) ?? 0)
                default: current!.append(escaped)
                }
            default:
                current!.append(byte)
            }
        }
        guard !arguments.isEmpty else { return nil }
        return Line(fromScript: source.hasSuffix(" lua"), arguments: arguments)
    }
}
