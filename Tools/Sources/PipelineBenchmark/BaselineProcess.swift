import Foundation
import GatewayTestSupport
import Logging

/// The baseline as a process of its own, so its CPU and memory can be read from `/proc` for it alone, like
/// the gateway's: the benchmark starts its own executable again with the hidden option `--baseline-process
/// <settings.json>`.
///
/// The child ends on SIGTERM (its default action: nothing in it needs a clean exit — the broker requeues
/// what it had not acked), and on its own once the benchmark process that started it is gone, so it never
/// outlives a benchmark that was killed.
enum BaselineProcess {
    static let option = "baseline-process"

    /// The child's side: runs the baseline the settings file describes until stopped.
    static func run(settingsPath: String) async throws {
        let settings = try JSONDecoder().decode(BaselineSettings.self, from: Data(contentsOf: URL(fileURLWithPath: settingsPath)))
        let baseline = try Baseline(settings: settings, logger: .quiet("baseline-process"))
        Task.detached {
            // Checked against the pid it was given, not one read here: the parent may already be gone.
            while getppid() == settings.parentPID { try? await Task.sleep(for: .seconds(1)) }
            exit(0)
        }
        await baseline.run()
    }
}

extension MeasuredProcesses {
    /// The parent's side: writes `settings` into `directory` and starts the baseline process. It is not waited
    /// for: its CPU counts from its start (connecting and declaring included, a few milliseconds), and a paced
    /// phase's warm-up messages show it consuming.
    static func startBaseline(settings: BaselineSettings, directory: String, logDirectory: String) throws -> MeasuredProcesses {
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let settingsPath = (directory as NSString).appendingPathComponent("baseline-settings.json")
        try JSONEncoder().encode(settings).write(to: URL(fileURLWithPath: settingsPath))
        // The executable's own path (not argv[0], which may be relative or a name looked up in PATH).
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        // `GatewayProcess` runs any executable; the baseline has no API, so its port is never asked for `/ready`.
        let process = GatewayProcess(
            arguments: [executable, "--\(BaselineProcess.option)", settingsPath], environment: [:], apiPort: 0,
            logPath: (logDirectory as NSString).appendingPathComponent("baseline-\(settings.steps.rawValue).log"))
        try process.start()
        return MeasuredProcesses(label: "baseline process", processes: [process])
    }
}
