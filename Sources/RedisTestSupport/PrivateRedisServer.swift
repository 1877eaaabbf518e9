import Foundation
import RedisClient

/// A redis-server of a test's own, for tests that stop and restart the server (the shared one must stay up
/// for the suites running beside them) or that read its server-wide counters (`INFO`), which no other client
/// may disturb.
public final class PrivateRedisServer {
    /// Where the server listens.
    public let url: RedisURL
    private let directory: URL
    private var process: Process?

    /// redis-server did not start or did not answer.
    public struct StartFailed: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts a server on a free port in 40000..<50000 (retrying another port when one is taken).
    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("redis-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var lastError: any Error = StartFailed(description: "no attempt")
        for _ in 0..<5 {
            let candidate = RedisURL(host: "127.0.0.1", port: Int.random(in: 40000..<50000))
            do {
                process = try Self.launch(url: candidate, directory: directory)
                url = candidate
                return
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// Starts the server again on the same port.
    public func restart() throws {
        process = try Self.launch(url: url, directory: directory)
    }

    /// Stops the server at once (SIGKILL: connected clients see the connection drop, no goodbye).
    public func kill() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    private static func launch(url: RedisURL, directory: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "redis-server", "--port", "\(url.port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory.path, "--logfile", directory.appendingPathComponent("redis.log").path,
        ]
        try process.run()
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, process.isRunning {
            if let connection = try? RedisConnection(url: url, connectTimeout: .seconds(1), commandTimeout: .seconds(1)),
                (try? connection.send(RedisCommand("PING"))) == .status("PONG")
            {
                // A server already on the port answers too: only ours counts (tests count its commands).
                let info = (try? connection.send(RedisCommand("INFO", "server")))?.string ?? ""
                guard info.contains("process_id:\(process.processIdentifier)\r\n") else { break }
                return process
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        throw StartFailed(description: "redis-server did not answer on \(url) (port taken?)")
    }
}
