import ArgumentParser
import Foundation
import Logging

/// The fault matrix (`scripts/chaos.sh`): one fault at a time against the gateway as its own process, a
/// real RabbitMQ and the sandbox; per fault, what was published, delivered, lost, duplicated and
/// dead-lettered, the longest delay, and whether the fault took effect (with its evidence). Exits 1 when any
/// row failed: its fault not seen, a message lost or late, duplicates beyond what was in flight at the fault,
/// nothing published or a publish never confirmed, a gateway crash, or the row could not run (unless
/// `--allow-skip` names it).
@main
struct ChaosMatrix: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos-matrix", abstract: "Run the gateway through a matrix of faults and report losses and duplicates.")

    @Option(name: .customLong("fault"), help: "A fault to run (repeatable; default: all). One of: \(Fault.allCases.map(\.rawValue).joined(separator: ", ")).")
    var faults: [Fault] = []

    @Option(help: "Seconds each fault lasts.")
    var window = 60

    @Option(help: "Seconds of steady traffic before and after the fault.")
    var calm = 10

    @Option(help: "Orgs (each its own tenant and OAuth client).")
    var orgs = 4

    @Option(help: "Messages per second per org.")
    var rate = 50

    @Option(help: "AMQP port of the matrix's own RabbitMQ node (started and stopped by it).")
    var brokerPort = 5696

    @Option(help: "Folder for the broker's state, the gateways' state directories and logs.")
    var runDirectory = ".run/chaos"

    @Option(name: .customLong("allow-skip"), help: "A fault whose row may be skipped when it cannot run here (state-dir-full needs root); repeatable. Without it such a row fails the matrix.")
    var allowSkip: [Fault] = []

    /// For checking the matrix itself: every row runs without its fault, and must then fail ("fault seen: NO").
    @Flag(name: .customLong("debug-without-fault"), help: .hidden)
    var withoutFault = false

    func run() async throws {
        // The matrix's own clients lose the broker on purpose; only what breaks the matrix itself is worth a line.
        var logger = Logger(label: "chaos")
        logger.logLevel = .critical
        let runDirectory = URL(fileURLWithPath: runDirectory).standardizedFileURL.path
        let broker = Broker(port: brokerPort, runDirectory: "\(runDirectory)/broker")
        let timing = FaultRun.Timing(calm: .seconds(calm), window: .seconds(window), settle: .seconds(max(60, window * 2)))
        let selected = faults.isEmpty ? Fault.allCases : faults
        progress("fault matrix: \(orgs) orgs × \(rate) msg/s, \(calm) s calm + \(window) s fault + \(calm) s calm per fault")
        if withoutFault { progress("--debug-without-fault: no fault is injected; every row must fail as \"fault seen: NO\"") }

        try broker.start()
        defer { try? broker.stop() }
        let outcomes = try await ChaosWorld.with(orgCount: orgs, rate: rate, broker: broker, runDirectory: runDirectory, logger: logger) { world in
            var outcomes: [FaultRun.Outcome] = []
            for fault in selected {
                progress("- \(fault.rawValue): \(fault.summary)")
                let outcome = try await FaultRun(
                    fault: fault, world: world, timing: timing, allowSkip: allowSkip.contains(fault), withoutFault: withoutFault
                ).run()
                progress("  " + MatrixReport.line(outcome))
                outcomes.append(outcome)
            }
            return outcomes
        }
        print("")
        print(MatrixReport.table(outcomes))
        if outcomes.contains(where: \.failed) {
            for outcome in outcomes where outcome.failed {
                let log = outcome.cannotRun == nil ? "; log: \(outcome.logPath)" : ""
                print("FAILED \(outcome.fault.rawValue): \(outcome.failures.joined(separator: "; "))\(log)")
            }
            throw ExitCode(1)
        }
    }

    /// A progress line on stderr, unbuffered: it appears as each fault ends, also when output goes to a file.
    private func progress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
