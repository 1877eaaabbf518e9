import Foundation
import GatewayTestSupport

/// Runs a command of this repository (a script or a built executable) for the process-level tests.
enum ScriptProcess {
    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// Runs `arguments` to completion; returns its exit status and combined output.
    ///
    /// Output goes through a file, not a pipe: a daemon the command starts (RabbitMQ) inherits the output
    /// and would keep a pipe open for ever.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let log = NSTemporaryDirectory() + "ggw-script-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = try start(arguments, environment: environment, output: handle)
        let status = wait(for: process)
        try? handle.close()
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// Waits for `process` to exit. Reaps it with `waitpid` itself: Foundation's own child monitoring was
    /// seen to leave a finished script unreaped (and `waitUntilExit` hanging) in these async tests.
    static func wait(for process: Process) -> Int32 {
        var status: Int32 = 0
        while true {
            let result = waitpid(process.processIdentifier, &status, WNOHANG)
            if result == process.processIdentifier {
                return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            }
            if result < 0 {  // already reaped by Foundation
                return process.isRunning ? -1 : process.terminationStatus
            }
            usleep(50_000)
        }
    }

    /// Starts `arguments` in the background (output to `output`, or discarded).
    static func start(_ arguments: [String], environment: [String: String] = [:], output: FileHandle? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: repository)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = output ?? FileHandle.nullDevice
        process.standardError = output ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// A private RabbitMQ node on `port` (its own state folder), via scripts/rabbitmq.sh.
    struct Broker {
        let port: Int
        let runDirectory: String

        var url: String { "amqp://guest:guest@127.0.0.1:\(port)/%2F" }
        private var environment: [String: String] { ["GGW_RABBITMQ_PORT": "\(port)", "GGW_RUN_DIR": runDirectory] }

        func start() throws {
            let result = try ScriptProcess.run(["bash", "scripts/rabbitmq.sh", "start"], environment: environment)
            guard result.status == 0 else { throw BrokerError(message: "rabbitmq start failed: \(result.output)") }
        }

        func stop() throws {
            try ScriptProcess.run(["bash", "scripts/rabbitmq.sh", "stop"], environment: environment)
        }

        func reset() throws {
            try ScriptProcess.run(["bash", "scripts/rabbitmq.sh", "reset"], environment: environment)
        }
    }

    struct BrokerError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
