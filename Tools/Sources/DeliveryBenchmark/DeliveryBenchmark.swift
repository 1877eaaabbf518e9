import ArgumentParser
import Foundation
import GatewayDelivery
import GenesysSandbox
import Logging

/// `DeliveryBenchmark`: N messages straight through the delivery core (no queue) to an in-process
/// sandbox with injected latency; prints throughput, per-org rate accuracy, added latency percentiles,
/// the sandbox's exactly-once check, memory and CPU. Figures are reported, not asserted: it exits 0
/// unless the run itself could not be done. See `docs/benchmarks.md`.
@main
struct DeliveryBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "DeliveryBenchmark",
        abstract: "Benchmark the delivery core against the in-process Genesys sandbox (127.0.0.1 only).")

    @Option(help: "Orgs, each its own tenant with its own limiter.")
    var orgs = 10

    @Option(help: "Messages per second per org (the org's rate limit).")
    var rate = 50.0

    @Option(help: "Seconds of traffic: each org sends rate × seconds messages.")
    var seconds = 10.0

    @Option(name: .customLong("latency-ms"), help: "Latency the sandbox adds to every inbound call, ms.")
    var latencyMs = 20

    @Option(help: "The orgs' rate-limiter burst.")
    var burst = 1

    @Option(help: "Distinct customers per org (the sandbox keeps one conversation each).")
    var customers = 100

    @Option(name: .customLong("lead-ms"), help: "Hand each message to deliver this many ms before its slot instead of all at the start (a bounded backlog, like a queue consumer).")
    var leadMs: Int?

    @Option(name: .customLong("deadline-seconds"), help: "Cancel what is still running after this long (default: 1.5 × the paced duration + 15 s).")
    var deadlineSeconds: Double?

    @Option(help: "Also write one CSV row per delivered message to this file.")
    var csv: String?

    @Flag(inversion: .prefixedNo, help: "Time the limiter and HTTP client from inside the core (decorators).")
    var probes = true

    @Option(help: "Log level of the benchmark's own diagnostics (the gateway and sandbox log warnings and up).")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard orgs >= 1, orgs <= 1000 else { throw ValidationError("--orgs must be 1…1000") }
        guard rate > 0, rate <= 100_000 else { throw ValidationError("--rate must be > 0 and ≤ 100000") }
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be > 0 and ≤ 3600") }
        guard latencyMs >= 0 else { throw ValidationError("--latency-ms must not be negative") }
        guard burst >= 1, burst <= 100_000 else { throw ValidationError("--burst must be 1…100000") }
        guard customers >= 1 else { throw ValidationError("--customers must be at least 1") }
        guard (deadlineSeconds ?? 1) > 0 else { throw ValidationError("--deadline-seconds must be positive") }
        guard (leadMs ?? 0) >= 0 else { throw ValidationError("--lead-ms must not be negative") }
        guard perOrg >= 2 else { throw ValidationError("rate × seconds must give at least 2 messages per org") }
    }

    /// Messages each org sends.
    private var perOrg: Int { Int((rate * seconds).rounded()) }

    func run() async throws {
        var logger = Logger(label: "delivery-benchmark")
        logger.logLevel = logLevel
        var quiet = Logger(label: "delivery-benchmark.core")
        quiet.logLevel = .warning
        let orgs = (0..<orgs).map { BenchmarkOrg(index: $0, rate: rate, burst: burst) }
        // Pacing takes (n - burst) / rate; the deadline leaves room for a slow machine, then cancels.
        let expected = Double(max(0, perOrg - burst)) / rate + Double(latencyMs) / 1000
        let settings = ResultsReport.Settings(
            orgs: orgs.count, rate: rate, burst: burst, seconds: seconds, latencyMs: latencyMs, probes: probes,
            lead: leadMs.map { .milliseconds($0) }, deadline: .fractionalSeconds(deadlineSeconds ?? expected * 1.5 + 15))

        let report = try await SandboxServer.withRunning(GatewayUnderTest.sandboxConfiguration(for: orgs), logger: quiet) { sandbox in
            logger.info("sandbox running", metadata: ["address": "\(sandbox.baseURL)"])
            let gateway = try GatewayUnderTest.start(orgs: orgs, sandbox: sandbox, probes: probes, logger: quiet)
            do {
                let report = try await measure(orgs: orgs, gateway: gateway, sandbox: sandbox, settings: settings, logger: logger)
                await gateway.shutdown()
                return report
            } catch {
                await gateway.shutdown()
                throw error
            }
        }
        for line in report.lines { print(line) }
        guard report.run.results.contains(where: \.isDelivered) else {
            throw ExitCode.failure  // nothing got through: the run itself failed
        }
    }

    private func measure(
        orgs: [BenchmarkOrg], gateway: GatewayUnderTest, sandbox: RunningSandbox, settings: ResultsReport.Settings,
        logger: Logger
    ) async throws -> ResultsReport {
        for org in orgs {
            try sandbox.control.setFaults(FaultSettings(latencyMs: latencyMs), for: .integration(org.integrationID))
        }
        try await gateway.fetchTokens()
        try await warmUp(orgs: orgs, delivery: gateway.delivery)
        // Let every org's bucket fill up again after the warm-up message.
        try await Task.sleep(for: .fractionalSeconds(Double(burst) / rate + 0.2))

        let interval = Duration.fractionalSeconds(1 / rate)
        let messages = (0..<perOrg).flatMap { number in
            let admitAfter = settings.lead.map { max(.zero, interval * max(0, number - burst + 1) - $0) } ?? .zero
            return orgs.map { org in
                let message = org.message(number, customers: customers)
                return LoadDriver.Message(org: org.index, number: number, id: message.id, bytes: message.bytes, admitAfter: admitAfter)
            }
        }
        logger.info("sending", metadata: [
            "messages": "\(messages.count)", "orgs": "\(orgs.count)", "rate": "\(rate)", "deadline.s": "\(settings.deadline.seconds)",
        ])
        let driver = LoadDriver(delivery: gateway.delivery, clock: gateway.clock, probes: probes, logger: logger)
        let before = ProcessUsage.now()
        let run = await driver.run(messages, deadline: settings.deadline)
        let after = ProcessUsage.now()
        logger.info("run finished", metadata: ["seconds": "\((run.endedAt - run.startedAt).seconds)"])
        let latency = LatencyAnalysis(results: run.results, orgs: orgs, probes: probes, startedAt: run.startedAt)
        if let csv {
            try SampleWriter(path: csv).write(run: run, latency: latency)
            logger.info("per-message rows written", metadata: ["path": "\(csv)"])
        }
        let rates = RateAnalysis(orgs: orgs, results: run.results, steadyIDs: latency.steadyIDs, sandbox: sandbox.control)
        return ResultsReport(settings: settings, run: run, latency: latency, rates: rates, before: before, after: after)
    }

    /// One message per org through the whole path (plugins, limiter, breaker, libcurl connections) before
    /// anything is measured; fails the run if one does not arrive.
    private func warmUp(orgs: [BenchmarkOrg], delivery: DeliveryService) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for org in orgs {
                let message = org.message(0, warmUp: true, customers: customers)
                group.addTask {
                    let outcome = await delivery.deliver(DeliveryRequest(bytes: message.bytes))
                    guard case .delivered = outcome else {
                        throw GatewayUnderTest.SetupError(description: "warm-up message of \(org.key) not delivered: \(outcome)")
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
