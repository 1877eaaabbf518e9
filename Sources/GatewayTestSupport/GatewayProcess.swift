import CurlHTTP
import Foundation
import GatewayCore

/// `genesys-gateway run` as its own process, the way an operator runs it: everything it is told goes through
/// its command line, its environment and its config directory. Its output goes to a log file that outlives
/// restarts (named in reports when something went wrong). The fault matrix kills and restarts it; the
/// benchmarks read its CPU time and memory from `/proc`.
///
/// Touched by several tasks (a fault, a crash watch); every change happens under `lock`.
public final class GatewayProcess: @unchecked Sendable {
    private let arguments: [String]
    private let environment: [String: String]
    public let apiPort: Int
    public let logPath: String
    private let lock = NSLock()
    private var process: Process?
    private var crashesSeen = 0
    private var killsDelivered = 0
    private var killsTried = 0

    /// Exits nobody asked for (the process died by itself).
    public var crashes: Int { lock.withLock { crashesSeen } }
    /// SIGKILLs ``killAndRestart()`` delivered: the process was running, took the signal, and died of it.
    public var kills: Int { lock.withLock { killsDelivered } }
    /// Calls of ``killAndRestart()``, delivered or not (no process, or it had ended some other way).
    public var killsAttempted: Int { lock.withLock { killsTried } }

    /// - Parameters:
    ///   - arguments: the executable's path, then its arguments (`run`, …).
    ///   - environment: added to this process's own environment.
    ///   - apiPort: the port given with `--api-port`, for ``waitUntilReady(http:timeout:)``.
    ///   - logPath: where its output goes (appended to across restarts).
    public init(arguments: [String], environment: [String: String], apiPort: Int, logPath: String) {
        self.arguments = arguments
        self.environment = environment
        self.apiPort = apiPort
        self.logPath = logPath
    }

    public func start() throws {
        try lock.withLock { try launch() }
    }

    /// SIGKILL, reaped, and a new process at once: a crash and the restart a supervisor would do. Counted in
    /// ``kills`` only when the process took the signal and its wait status says SIGKILL ended it.
    public func killAndRestart() throws {
        try lock.withLock {
            killsTried += 1
            if let process {
                let sent = Foundation.kill(process.processIdentifier, SIGKILL) == 0
                if sent, Self.reap(process) == .signal(SIGKILL) { killsDelivered += 1 }
                if !sent { Self.reap(process) }
            }
            try launch()
        }
    }

    /// Restarts the process if it exited without being asked to, counting it as a crash. Returns true then.
    @discardableResult
    public func restartIfDead() throws -> Bool {
        try lock.withLock {
            guard let process, Self.hasExited(process) else { return false }
            crashesSeen += 1
            try launch()
            return true
        }
    }

    /// SIGTERM, then SIGKILL after `timeout`.
    public func stop(timeout: Duration = .seconds(20)) {
        lock.withLock {
            guard let process else { return }
            process.terminate()
            let deadline = ContinuousClock.now + timeout
            while !Self.hasExited(process), ContinuousClock.now < deadline { usleep(50_000) }
            if !Self.hasExited(process) { Foundation.kill(process.processIdentifier, SIGKILL) }
            Self.reap(process)
            self.process = nil
        }
    }

    /// Starts a process; the caller holds the lock (kills, crash restarts and stops never interleave, so
    /// there is never a second gateway by accident).
    private func launch() throws {
        _ = FileManager.default.fileExists(atPath: logPath) || FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }  // the child keeps its own descriptor
        log.seekToEndOfFile()
        let child = Process()
        child.executableURL = URL(fileURLWithPath: arguments[0])
        child.arguments = Array(arguments.dropFirst())
        child.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        child.standardOutput = log
        child.standardError = log
        child.standardInput = FileHandle.nullDevice
        try child.run()
        process = child
    }

    /// Waits until `/ready` answers 200 (tenants loaded, broker connected).
    public func waitUntilReady(http: CurlHTTPClient, timeout: Duration = .seconds(60)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let request = HTTPRequest(method: "GET", url: "http://127.0.0.1:\(apiPort)/ready", connectTimeout: .seconds(1), totalTimeout: .seconds(2))
            if (try? await http.execute(request).status) == 200 { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// The last lines of the log, for the report.
    public func logTail(_ lines: Int = 15) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// The running process's CPU time (user + system) and resident memory, from `/proc/<pid>`; nil when none runs.
    public func usage() -> (cpuSeconds: Double, residentKiB: Int)? {
        guard let pid = lock.withLock({ process?.processIdentifier }),
            let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else { return nil }
        // Fields after the command name (which may hold spaces, so split after its closing parenthesis):
        // utime and stime are the 12th and 13th, in clock ticks.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let resident = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } }
        return ((user + system) / Double(sysconf(Int32(_SC_CLK_TCK))), resident ?? 0)
    }

    private static func hasExited(_ child: Process) -> Bool {
        var status: Int32 = 0
        let result = waitpid(child.processIdentifier, &status, WNOHANG)
        return result == child.processIdentifier || (result < 0 && !child.isRunning)
    }

    /// How a child ended.
    enum Ending: Equatable {
        case exit(Int32)
        case signal(Int32)
        /// Nobody could say (Foundation reaped it and did not report within a few seconds).
        case unknown
    }

    /// Reaps with `waitpid` itself: Foundation's own child monitoring was seen to leave a finished child
    /// unreaped in async code. When Foundation reaped it first (`ECHILD`), its own record says how it ended.
    @discardableResult
    private static func reap(_ child: Process) -> Ending {
        var status: Int32 = 0
        while true {
            let result = waitpid(child.processIdentifier, &status, WNOHANG)
            if result == child.processIdentifier { return ending(status) }
            if result < 0, errno != EINTR { break }
            usleep(20_000)
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while child.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        guard !child.isRunning else { return .unknown }
        return child.terminationReason == .uncaughtSignal ? .signal(child.terminationStatus) : .exit(child.terminationStatus)
    }

    /// `WIFSIGNALED`/`WTERMSIG`/`WEXITSTATUS` (C macros Swift does not import).
    private static func ending(_ status: Int32) -> Ending {
        let signal = status & 0x7F
        if signal == 0 { return .exit((status >> 8) & 0xFF) }
        return signal == 0x7F ? .unknown : .signal(signal)  // 0x7F: stopped, not ended
    }
}
