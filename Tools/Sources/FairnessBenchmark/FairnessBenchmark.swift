import ArgumentParser
import Foundation

/// Fairness across orgs on the queue path (docs/isolation.md): RabbitMQ → router → one queue per org →
/// gateway (`GatewayServices`, in process) → sandbox over loopback.
///
/// 1. backlogged: every org has far more queued than it can send in the run; each should get its
///    configured rate (per org: achieved rate and error).
/// 2. bottleneck: the same orgs with rates multiplied far beyond what the gateway can do here and no
///    sandbox latency; capacity should be shared in proportion to the rates, and no org should starve
///    (per org: configured-rate share vs achieved share).
@main
struct FairnessBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Per-org fairness of the queue path: backlogged orgs at their limits, and shares when the gateway is the bottleneck.")

    enum ScenarioChoice: String, ExpressibleByArgument, CaseIterable { case backlogged, bottleneck, both }

    @Option(name: .customLong("orgs-rates"), help: "Configured rates, msg/s, one org each (comma list).")
    var orgsRates = "5,10,20,50,100,200,400,800"
    @Option(help: "Seconds the gateway runs in each scenario.") var seconds = 20
    @Option(name: .customLong("latency-ms"), help: "Sandbox latency per request, backlogged scenario.") var latencyMs = 20
    @Option(name: .customLong("in-flight"), help: "perOrgInFlight (caps each org queue's prefetch; the gateway's default).") var inFlight = 256
    @Option(help: "backlogged | bottleneck | both") var scenario: ScenarioChoice = .both
    @Option(name: .customLong("bottleneck-factor"), help: "Rates are multiplied by this in the bottleneck scenario.")
    var bottleneckFactor = 20.0
    @Option(name: .customLong("bottleneck-latency-ms"), help: "Sandbox latency in the bottleneck scenario.")
    var bottleneckLatencyMs = 0
    @Option(name: .customLong("backlog-factor"), help: "Each org's backlog is rate × seconds × this (before the bound).")
    var backlogFactor = 1.5
    @Option(name: .customLong("max-messages"), help: "Bound on all backlogs together (the largest are cut to a common level).")
    var maxMessages = 60_000
    @Option(name: .customLong("warmup-seconds"), help: "Arrivals before this (from the gateway's start) are not measured.")
    var warmupSeconds = 2.0
    @Option(help: "Prefetch of the ingress queue (the router's window; as `genesys-gateway run --prefetch`, default 500).")
    var prefetch: UInt16 = 500
    @Option(help: "Customers (conversations) per org; default max(64, 2 × in-flight).") var customers: Int?
    @Option(name: .customLong("broker-pid"), help: "RabbitMQ's pid, to report its CPU (the script passes it).") var brokerPID: Int?
    @Flag(help: "Move the whole backlog into the org queues (a gateway with tiny rates, stopped once the ingress queue is empty) before the measured gateway starts, so its router does not compete with sending.")
    var preroute = false
    @Flag(help: "Also print per-second sent counts and org queue depths per org.") var timeline = false
    @Option(name: .customLong("amqp-url"), help: "Broker URL (default: env GGW_AMQP_URL); must be on 127.0.0.1.")
    var amqpURL: String?

    func validate() throws {
        let rates = try parsedRates()
        guard !rates.isEmpty, rates.count <= 99 else { throw ValidationError("--orgs-rates: 1 … 99 orgs") }
        guard (3...600).contains(seconds) else { throw ValidationError("--seconds must be 3 … 600") }
        guard warmupSeconds >= 0, warmupSeconds < Double(seconds) - 1 else { throw ValidationError("--warmup-seconds must leave at least 1 s of window") }
        guard (0...10_000).contains(latencyMs), (0...10_000).contains(bottleneckLatencyMs) else { throw ValidationError("latency must be 0 … 10000 ms") }
        guard (1...10_000).contains(inFlight) else { throw ValidationError("--in-flight must be 1 … 10000") }
        guard bottleneckFactor > 0, backlogFactor > 0 else { throw ValidationError("factors must be positive") }
        guard (1...1_000_000).contains(maxMessages) else { throw ValidationError("--max-messages must be 1 … 1000000") }
        if let customers, !(1...100_000).contains(customers) { throw ValidationError("--customers must be 1 … 100000") }
    }

    private func parsedRates() throws -> [Double] {
        try orgsRates.split(separator: ",").map { part in
            guard let rate = Double(part.trimmingCharacters(in: .whitespaces)), rate > 0, rate.isFinite else {
                throw ValidationError("--orgs-rates: '\(part)' is not a positive number")
            }
            return rate
        }
    }

    func run() async throws {
        guard let url = amqpURL ?? ProcessInfo.processInfo.environment["GGW_AMQP_URL"] else {
            throw ValidationError("--amqp-url or GGW_AMQP_URL is required")
        }
        guard url.contains("@127.0.0.1:") || url.contains("@localhost:") else {
            throw ValidationError("refusing a broker that is not on 127.0.0.1: \(url)")
        }
        let rates = try parsedRates()
        let perOrgCustomers = customers ?? max(64, 2 * inFlight)
        func orgs(_ rates: [Double]) -> [FairOrg] {
            let wanted = rates.map { Int(($0 * Double(seconds) * backlogFactor).rounded(.up)) }
            let backlogs = boundedBacklogs(wanted, total: maxMessages)
            return rates.enumerated().map { FairOrg(index: $0.offset, rate: $0.element, backlog: backlogs[$0.offset], customers: perOrgCustomers) }
        }
        print("fairness benchmark: \(rates.count) orgs, \(seconds) s per scenario, perOrgInFlight \(inFlight), ingress prefetch \(prefetch), \(perOrgCustomers) customers per org\(preroute ? ", backlog pre-routed" : ""), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        let began = ContinuousClock.now
        if scenario != .bottleneck {
            let observation = try await Scenario(
                name: "backlogged at their limits", orgs: orgs(rates), seconds: seconds, warmup: warmupSeconds,
                latencyMs: latencyMs, inFlight: inFlight, ingressPrefetch: prefetch, url: url, brokerPID: brokerPID, preroute: preroute
            ).run()
            observation.printBacklogged()
            if timeline { observation.printTimeline() }
        }
        if scenario != .backlogged {
            let observation = try await Scenario(
                name: "gateway is the bottleneck (rates x \(fmtRate(bottleneckFactor)))", orgs: orgs(rates.map { $0 * bottleneckFactor }),
                seconds: seconds, warmup: warmupSeconds, latencyMs: bottleneckLatencyMs, inFlight: inFlight,
                ingressPrefetch: prefetch, url: url, brokerPID: brokerPID, preroute: preroute
            ).run()
            observation.printBottleneck()
            if timeline { observation.printTimeline() }
        }
        print("fairness benchmark: done in \(fmt((ContinuousClock.now - began).seconds, 1)) s")
    }
}
