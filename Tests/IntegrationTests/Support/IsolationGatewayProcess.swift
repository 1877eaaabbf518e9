import Foundation
import GatewayTestSupport
@testable import GatewayCore
@testable import CurlHTTP

/// `genesys-gateway run` as its own process, for the isolation tests that need what only a process has: its
/// resident memory (`/proc/<pid>/status`) and a reload of its config directory (`POST /admin/reload`).
///
/// Everything it is told goes through its command line, its config directory and its documented HTTP API.
/// Its log goes to a file (named in failures).
final class IsolationGatewayProcess: @unchecked Sendable {
    // Touched only by the test's own task.
    static let adminKey = "isolation-admin-key-0001"
    static let adminKeyVariable = "GGW_ISOLATION_ADMIN_KEY"

    let process: Process
    let apiPort: Int
    let logPath: String
    /// Its `--state-dir` (the idempotency record, ``IdempotencyRecordFile``).
    let stateDirectory: String
    private let http = CurlHTTPClient()
    private var stopped = false

    /// Starts the gateway on the sandbox's config and plugins, consuming `<prefix>.outbound` at `url`.
    /// - Parameter apiPort: the API's port when the test needs it before the start (a webhook URL); a free one otherwise.
    init(setup: GatewayHarness.SandboxSetup, url: String, prefix: String, apiPort: Int? = nil, extraArguments: [String] = []) throws {
        self.apiPort = try apiPort ?? FreePort.pick()
        stateDirectory = TemporaryDirectory.fresh()
        logPath = NSTemporaryDirectory() + "ggw-isolation-gateway-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }  // the child has its own copy
        process = try ScriptProcess.start(
            [
                BuiltPlugins.buildDirectory + "/genesys-gateway", "run", "--config-dir", setup.configDirectory,
                "--plugins-dir", setup.pluginsDirectory, "--allow-genesys-host", "127.0.0.1", "--state-dir", stateDirectory, "--amqp-url", url,
                "--queue-prefix", prefix, "--api-port", String(self.apiPort), "--admin-key", "env:\(Self.adminKeyVariable)",
            ] + extraArguments,
            environment: setup.environment.merging([Self.adminKeyVariable: Self.adminKey]) { $1 }, output: log)
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits until `/ready` answers 200 (the process is up and connected to RabbitMQ).
    func waitUntilReady(timeout: Duration = .seconds(30)) async -> Bool {
        await Isolation.eventually(timeout: timeout, interval: .milliseconds(100)) {
            (try? await self.call("GET", "/ready").status) == 200
        }
    }

    /// One request to the process's API, with the admin key unless another bearer key is given.
    func call(_ method: String, _ path: String, body: [UInt8] = [], authorization: String = adminKey) async throws -> HTTPResponse {
        try await http.execute(HTTPRequest(
            method: method, url: "http://127.0.0.1:\(apiPort)\(path)",
            headers: [("Authorization", "Bearer \(authorization)")] + (body.isEmpty ? [] : [("Content-Type", "application/json")]),
            body: body, connectTimeout: .seconds(2), totalTimeout: .seconds(15)))
    }

    /// `POST /admin/reload`: reloads the config directory now; returns the status and the report's text.
    func reload() async throws -> (status: Int, report: String) {
        let response = try await call("POST", "/admin/reload")
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// The process's resident set size (VmRSS) in kB, nil once it is gone.
    func residentKilobytes() -> Int? {
        statusField("VmRSS:")
    }

    /// The most it was ever resident (VmHWM) in kB, nil once it is gone.
    func peakResidentKilobytes() -> Int? {
        statusField("VmHWM:")
    }

    private func statusField(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }

    var isRunning: Bool { kill(pid, 0) == 0 && !stopped }

    /// The last lines of its log, for failure messages.
    func logTail(_ lines: Int = 25) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// SIGTERM, then SIGKILL if it has not exited within `timeout`; reaps it. Safe to call twice.
    func stop(timeout: Duration = .seconds(15)) async {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || result < 0 { await http.shutdown(); return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(pid, SIGKILL)
        _ = ScriptProcess.wait(for: process)
        await http.shutdown()
    }
}
