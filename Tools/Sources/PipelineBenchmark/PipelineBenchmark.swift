import ArgumentParser
import Foundation
import AMQPTransport
import Broker
import GenesysSandbox
import Logging

/// End to end: RabbitMQ → gateway (`GatewayServices`) → sandbox over loopback, against a baseline that
/// only consumes, POSTs once and acks. See `docs/benchmarks.md`, "End to end".
@main
struct PipelineBenchmark: AsyncParsableCommand {
    enum Mode: String, ExpressibleByArgument, CaseIterable { case gateway, baseline, both }

    @Option(help: "Orgs (one tenant each).") var orgs = 40
    @Option(help: "Messages per second per org (offered and configured).") var rate = 50
    @Option(help: "Seconds of offered load.") var seconds = 10
    @Option(name: .customLong("latency-ms"), help: "Sandbox latency per request.") var latencyMs = 50
    @Option(name: .customLong("amqp-url"), help: "Broker URL (default: env GGW_AMQP_URL).") var amqpURL: String?
    @Option(help: "gateway | baseline | both") var mode: Mode = .both
    @Option(help: "Prefetch of the consumer (gateway and baseline).") var prefetch: UInt16 = 2000
    @Option(name: .customLong("baseline-connections"), help: "Baseline libcurl connections per host (the same as the gateway's default, 256).") var baselineConnections = 256
    @Option(name: .customLong("in-flight"), help: "Gateway per-org in-flight limit.") var inFlight = 16
    @Option(name: .customLong("org-queue-type"), help: "Type of the gateway's per-org queues: quorum or classic.") var orgQueueType = "quorum"
    @Option(help: "Run the gateway as this many `genesys-gateway run` processes, and the baseline as one process of its own (0: both inside the benchmark process).") var processes = 0
    @Option(name: .customLong("redis-url"), help: "Shared mode for the gateway processes: their Redis.") var redisURL: String?
    @Option(
        name: .customLong("baseline-steps"),
        help: "The baseline's steps: minimal (consume, POST, ack), design (the gateway design's broker steps without its logic), or a list run in turn (minimal,design).",
        transform: BaselineSteps.list) var baselineSteps: [BaselineSteps] = [.minimal]
    @Option(name: .customLong(BaselineProcess.option), help: .hidden) var baselineProcessSettings: String?
    @Option(name: .customLong("idle-seconds"), help: "With gateway processes: once the load has drained, measure the gateway's and RabbitMQ's CPU per second of wall time over this many seconds of idle (0: none).") var idleSeconds = 0
    @Option(name: .customLong("figures-file"), help: "Write the figures scripts compare across runs here, one `name value` a line (scripts/bench-scale.sh).") var figuresFile: String?
    @Option(name: .customLong("publish-path"), help: "How the gateway's load is published: direct (the org exchange, routing key <tenant>.<org>) or router (the ingress queue).") var publishPath: Phase.PublishPath = .direct
    @Option(name: .customLong("status-events"), help: "The gateway processes' --status-events: all or outcomes.") var statusEvents = "all"
    @Option(name: .customLong("soak-minutes"), help: "Soak instead (scripts/bench-soak.sh): one gateway process (shared mode with --redis-url) under --orgs x --rate msg/s published for this many minutes; one line a minute (RSS, CPU, deliveries, backlog, Redis), the steady-state figures at the end; exits 1 when a message was lost.") var soakMinutes: Int?
    @Option(name: .customLong("soak-warm-up-minutes"), help: "Soak: minutes left out of the steady-state figures (default 5, or the first third of a shorter run); with keys that live N minutes in Redis, N + 1.") var soakWarmUpMinutes: Int?
    @Option(name: .customLong("pid-file"), help: "Soak: write the gateway process's id here once it runs.") var pidFile: String?
    @Option(name: .customLong("samples-file"), help: "Soak: one CSV row a minute, written as the run goes.") var samplesFile: String?
    @Flag(name: .customLong("flat-out"), help: "Queue everything first and consume it as fast as possible (org limits lifted); compare with the baseline doing the same.") var flatOut = false

    func run() async throws {
        if let baselineProcessSettings {
            try await BaselineProcess.run(settingsPath: baselineProcessSettings)
            return
        }
        guard let url = amqpURL ?? ProcessInfo.processInfo.environment["GGW_AMQP_URL"] else {
            throw ValidationError("--amqp-url or GGW_AMQP_URL is required")
        }
        if let soakMinutes {
            try await soak(minutes: soakMinutes, url: url)
            return
        }
        // Flat out: everything queued before the consumer starts, limits far above what the machine can do.
        let load = Load(
            orgs: (0..<orgs).map { BenchOrg(index: $0, rate: rate, limit: flatOut ? 100_000 : nil) }, rate: rate, seconds: seconds,
            latencyMs: latencyMs)
        print("pipeline benchmark: \(orgs) orgs x \(rate) msg/s for \(seconds) s (offered \(orgs * rate) msg/s, \(load.total) messages), sandbox latency \(latencyMs) ms, prefetch \(prefetch), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        guard let orgType = QueueTopology.QueueType(rawValue: orgQueueType) else { throw ValidationError("--org-queue-type: quorum or classic") }
        var gateway: PhaseResult?
        var baseline: PhaseResult?
        if mode != .baseline {
            let consumer: Phase.Consumer = processes > 0 ? .processes(count: processes, redisURL: redisURL) : .gateway
            let shape = processes > 0 ? "\(processes) gateway process(es)\(redisURL == nil ? "" : " sharing Redis")" : "gateway in-process"
            var phase = Phase(name: "\(shape) (\(orgQueueType) org queues\(flatOut ? ", flat out" : ""))", load: load, url: url, prefetch: prefetch, inFlight: inFlight, consumer: consumer, paced: !flatOut)
            phase.orgQueueType = orgType
            phase.idleSeconds = idleSeconds
            phase.publishPath = publishPath
            phase.statusEvents = statusEvents
            gateway = try await phase.run()
        }
        if mode != .gateway {
            // The ratio below is to the first baseline listed.
            for steps in baselineSteps {
                let name = steps == .minimal ? "baseline" : "design-floor"
                let ownProcess = processes > 0
                let phase = { (name: String, paced: Bool) in
                    var phase = Phase(
                        name: name, load: load, url: url, prefetch: prefetch, inFlight: inFlight,
                        consumer: .baseline(steps, ownProcess: ownProcess), paced: paced, connections: baselineConnections)
                    phase.orgQueueType = orgType
                    return phase
                }
                if !flatOut {
                    let paced = try await phase(ownProcess ? "\(name) (own process)" : name, true).run()
                    baseline = baseline ?? paced
                }
                let max = try await phase("\(name)-max (all published before consuming\(ownProcess ? "; own process" : ""))", false).run()
                if flatOut { baseline = baseline ?? max }
            }
        }
        if let gateway, let baseline {
            print(String(format: "ratio gateway / baseline throughput at the same offered load: %.3f", gateway.throughput / baseline.throughput))
            if let gatewayCost = gateway.systemCost, let baselineCost = baseline.systemCost {
                let ratio = gatewayCost.wholeSystemMsPerMessage / baselineCost.wholeSystemMsPerMessage
                print("ratio gateway/baseline whole-system CPU per message at \(orgs) orgs: \(fmt(ratio)) (issue 24 goal <= 1.3)")
            }
        }
        if let figuresFile { try writeFigures(gateway: gateway, baseline: baseline, to: figuresFile) }
    }

    /// The soak: runs until its last minute and the drain, or until SIGINT or SIGTERM, which end it early with what it
    /// measured so far and the gateway stopped; exits 1 when a message was lost or publishing failed, 130 when cut short.
    private func soak(minutes: Int, url: String) async throws {
        guard minutes > 0 else { throw ValidationError("--soak-minutes: at least 1") }
        let warmUp = soakWarmUpMinutes ?? SoakSummary.defaultWarmUpMinutes(of: minutes)
        guard (0..<minutes).contains(warmUp) else { throw ValidationError("--soak-warm-up-minutes: 0 to \(minutes - 1)") }
        guard let orgType = QueueTopology.QueueType(rawValue: orgQueueType) else { throw ValidationError("--org-queue-type: quorum or classic") }
        // Each org's limiter at twice its offered rate: a stall (the machine is shared) drains instead of staying queued.
        let load = Load(
            orgs: (0..<orgs).map { BenchOrg(index: $0, rate: rate, limit: Double(2 * rate)) }, rate: rate, seconds: minutes * 60,
            latencyMs: latencyMs)
        let soak = Soak(
            minutes: minutes, warmUpMinutes: warmUp, load: load, url: url, redisURL: redisURL, prefetch: prefetch, inFlight: inFlight, statusEvents: statusEvents,
            orgQueueType: orgType, pidFile: pidFile, samplesFile: samplesFile)
        let work = Task { try await soak.run() }
        let signals = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { work.cancel() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        let outcome = try await work.value
        guard outcome.succeeded else { throw ExitCode(outcome.interrupted ? 130 : 1) }
    }

    /// The figures `scripts/bench-scale.sh` puts side by side across its runs (each run has a broker of its own),
    /// one `name value` a line.
    private func writeFigures(gateway: PhaseResult?, baseline: PhaseResult?, to path: String) throws {
        var figures: [(String, Double?)] = [("orgs", Double(orgs)), ("messages", Double(orgs * rate * seconds))]
        for (side, result) in [("gateway", gateway), ("baseline", baseline)] {
            guard let result else { continue }
            let cost = result.systemCost
            figures += [
                ("\(side).arrived", Double(result.arrived)), ("\(side).msg_per_s", result.throughput),
                ("\(side).process_ms_per_message", cost?.consumerMsPerMessage), ("\(side).broker_ms_per_message", cost?.brokerMsPerMessage),
                ("\(side).whole_system_ms_per_message", cost?.wholeSystemMsPerMessage), ("\(side).rss_mib", cost.map { Double($0.consumerResidentMiB) }),
            ]
        }
        if let idle = gateway?.idle {
            figures += [
                ("idle.seconds", idle.window), ("idle.gateway_ms_per_s", idle.gatewayMsPerSecond), ("idle.broker_ms_per_s", idle.brokerMsPerSecond),
                ("idle.machine_ms_per_s", idle.machineMsPerSecond), ("idle.gateway_rss_mib", Double(idle.gatewayResidentMiB.reduce(0, +))),
            ]
        }
        let text = figures.compactMap { name, value in value.map { "\(name) \($0)\n" } }.joined()
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}

extension Logger {
    static func quiet(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        return logger
    }
}

extension Phase.PublishPath: ExpressibleByArgument {}
