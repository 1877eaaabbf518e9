import Foundation
import GatewayCore
import AMQPTransport
import Broker
import GatewayConfig
import GatewayApp
import GatewayTestSupport
import GenesysSandbox
import Logging

/// One measured run: a fresh sandbox and queue prefix; every org's backlog published to the ingress queue
/// first; then the gateway (`GatewayServices`, in process) runs for `seconds` and is stopped. What it
/// measures comes from the sandbox's own receive timestamps.
struct Scenario {
    let name: String
    let orgs: [FairOrg]
    let seconds: Int
    let warmup: Double
    let latencyMs: Int
    let inFlight: Int
    let ingressPrefetch: UInt16
    let url: String
    /// RabbitMQ's process, to report its CPU over the window (nil: not reported).
    let brokerPID: Int?
    /// Move the whole backlog into the org queues (a gateway whose orgs are configured at a tiny rate runs
    /// until the ingress queue is empty, then stops) before the measured gateway starts, so the router's
    /// work does not compete with the measured sending.
    let preroute: Bool

    /// Most confirms outstanding while publishing the backlog.
    static let publishWindow = 256
    /// Publishing the backlog is abandoned (the run fails) beyond this.
    static let publishLimit = Duration.seconds(180)

    func run() async throws -> Observation {
        let logger = Logger.quiet("fairness-bench")
        let sandboxConfiguration = SandboxConfiguration(
            host: "127.0.0.1", port: 0, orgs: orgs.map { $0.sandboxOrg() },
            defaultTokenLifetimeSeconds: 86_400, defaultRatePerMinute: 100_000_000)
        return try await SandboxServer.withRunning(sandboxConfiguration, logger: logger) { sandbox in
            for org in orgs {
                try sandbox.control.setFaults(FaultSettings(latencyMs: latencyMs), for: .integration(org.integrationID))
            }
            let configs = TemporaryDirectory()
            for org in orgs { configs.write("\(org.tenant).yaml", org.tenantYAML(baseURL: sandbox.baseURL)) }
            let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
            let secrets = SecretResolver(environment: Dictionary(uniqueKeysWithValues: orgs.map { ($0.secretVariable, $0.secret) }))
            let configuration = GatewayConfiguration.load(
                configDirectory: configs.path, pluginsDirectory: plugins.path, secrets: secrets, genesysHosts: .testHosts, logger: logger)
            guard configuration.isValid, configuration.tenants.count == orgs.count else {
                throw BenchError("configuration invalid: \(configuration.configErrors) \(configuration.pluginErrors)")
            }
            let runID = "f" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
            let topology = QueueTopology(prefix: "fair.\(runID)")
            let stateDirectory = NSTemporaryDirectory() + "ggw-fair-\(runID)"
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: stateDirectory) }

            let publisher = AMQPClient(settings: .init(url: url, topology: topology, prefetch: 0), logger: logger)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await publisher.run() }
                defer { publisher.stop() }

                // 1. Every org's backlog into the ingress queue, before any consumer exists.
                let publishStarted = ContinuousClock.now
                try await publishBacklog(publisher: publisher, topology: topology, runID: runID)
                let publishSeconds = (ContinuousClock.now - publishStarted).seconds
                var prerouteSeconds: Double?
                if preroute {
                    let prerouteStarted = ContinuousClock.now
                    try await prerouteBacklog(
                        sandbox: sandbox, plugins: plugins.path, secrets: secrets, topology: topology, stateDirectory: stateDirectory,
                        logger: logger)
                    prerouteSeconds = (ContinuousClock.now - prerouteStarted).seconds
                }

                // 2. The gateway, for `seconds`; org queue depths sampled every 500 ms (the gateway reads
                //    them every 2 s).
                let gateway = try GatewayServices(
                    configuration: configuration,
                    settings: .init(
                        amqp: .init(url: url, topology: topology, prefetch: ingressPrefetch), perOrgInFlight: inFlight,
                        stateDirectory: stateDirectory, shutdownTimeout: .seconds(5)),
                    secrets: secrets, logger: logger)
                let started = Date()
                let usageAtStart = Usage.now(brokerPID: brokerPID)
                group.addTask { try await gateway.run() }
                var samples: [(at: Date, depths: [String: Int])] = []
                var usageAtWarm = usageAtStart
                var warmed = false
                let end = started.addingTimeInterval(Double(seconds))
                while Date() < end {
                    try await Task.sleep(for: .milliseconds(max(1, min(500, Int(end.timeIntervalSinceNow * 1000)))))
                    samples.append((at: Date(), depths: gateway.amqp.queueDepths))
                    if !warmed, Date().timeIntervalSince(started) >= warmup {
                        usageAtWarm = Usage.now(brokerPID: brokerPID)
                        warmed = true
                    }
                }
                let stopped = Date()
                let usageAtEnd = Usage.now(brokerPID: brokerPID)
                let received = sandbox.control.received().filter { $0.channelMessageId?.hasPrefix("\(runID)-") ?? false }

                // 3. Stop: the gateway finishes what it holds (≤ 5 s), the rest stays in its org queues.
                group.cancelAll()

                var arrivals = Array(repeating: [Date](), count: orgs.count)
                // What the pre-routing gateway sent (one message per org) is not part of the run.
                var sentBefore = Array(repeating: 0, count: orgs.count)
                let indexOf = Dictionary(uniqueKeysWithValues: orgs.map { ($0.integrationID, $0.index) })
                for message in received {
                    guard let index = indexOf[message.integrationId] else { continue }
                    if message.receivedAt < started { sentBefore[index] += 1 } else { arrivals[index].append(message.receivedAt) }
                }
                let depthSeries = orgs.map { org -> [(at: Date, depth: Int)] in
                    let queue = "\(topology.orgQueuePrefix)\(org.tenant).main"
                    return samples.compactMap { sample in sample.depths[queue].map { (at: sample.at, depth: $0) } }
                }
                return Observation(
                    name: name, orgs: orgs.map { $0.less(sentBefore[$0.index]) }, started: started, stopped: stopped,
                    warmup: warmup, latencyMs: latencyMs, inFlight: inFlight, publishSeconds: publishSeconds,
                    prerouteSeconds: prerouteSeconds, arrivals: arrivals.map { $0.sorted() }, depths: depthSeries,
                    usageWindow: (usageAtWarm, usageAtEnd))
            }
        }
    }

    /// Runs a gateway whose orgs all have a rate of 0.001 msg/s until the org queues hold the whole backlog
    /// (each org sends one message and holds two), then stops it: the broker takes back what it held.
    private func prerouteBacklog(
        sandbox: RunningSandbox, plugins: String, secrets: SecretResolver, topology: QueueTopology, stateDirectory: String,
        logger: Logger
    ) async throws {
        let configs = TemporaryDirectory()
        for org in orgs { configs.write("\(org.tenant).yaml", org.tenantYAML(baseURL: sandbox.baseURL, rate: 0.001)) }
        let configuration = GatewayConfiguration.load(
            configDirectory: configs.path, pluginsDirectory: plugins, secrets: secrets, genesysHosts: .testHosts, logger: logger)
        guard configuration.isValid else { throw BenchError("pre-routing configuration invalid: \(configuration.configErrors)") }
        let router = try GatewayServices(
            configuration: configuration,
            settings: .init(
                amqp: .init(url: url, topology: topology, prefetch: ingressPrefetch), perOrgInFlight: inFlight,
                stateDirectory: stateDirectory, shutdownTimeout: .milliseconds(200)),
            secrets: secrets, logger: logger)
        let task = Task { try await router.run() }
        defer { task.cancel() }
        let total = orgs.reduce(0) { $0 + $1.backlog }
        let deadline = ContinuousClock.now + Self.prerouteLimit
        while true {
            try await Task.sleep(for: .milliseconds(250))
            let waiting = router.amqp.queueDepths.values.reduce(0, +)
            if waiting + 3 * orgs.count >= total { break }
            guard ContinuousClock.now < deadline else {
                throw BenchError("\(name): pre-routing did not finish within \(Self.prerouteLimit) (\(waiting) of \(total) in the org queues)")
            }
        }
        task.cancel()
        _ = try? await task.value
    }

    static let prerouteLimit = Duration.seconds(180)

    /// Publishes every org's backlog to the ingress queue, interleaved (see ``interleavedOrder(_:)``), in
    /// that order on the publisher's one channel, with at most ``publishWindow`` confirms outstanding.
    private func publishBacklog(publisher: AMQPClient, topology: QueueTopology, runID: String) async throws {
        let order = interleavedOrder(orgs)
        let deadline = ContinuousClock.now + Self.publishLimit
        try await withThrowingTaskGroup(of: Void.self) { group in
            var outstanding = 0
            for item in order {
                if outstanding >= Self.publishWindow {
                    try await group.next()
                    outstanding -= 1
                }
                guard ContinuousClock.now < deadline else { throw BenchError("\(name): publishing the backlog took over \(Self.publishLimit)") }
                let confirm = publisher.submit(AMQPMessage(
                    routingKey: topology.outbound, body: orgs[item.org].message(runID: runID, number: item.number), mandatory: true))
                group.addTask { try await confirm.confirmed() }
                outstanding += 1
            }
            try await group.waitForAll()
        }
    }
}

/// What one run saw.
struct Observation {
    let name: String
    let orgs: [FairOrg]
    /// When the gateway was started, and when the run was stopped (wall clock, as the sandbox's).
    let started: Date
    let stopped: Date
    let warmup: Double
    let latencyMs: Int
    let inFlight: Int
    let publishSeconds: Double
    /// How long pre-routing took, when it was done.
    let prerouteSeconds: Double?
    /// Per org, the sandbox's receive times of its messages, sorted.
    let arrivals: [[Date]]
    /// Per org, its queue's depth (ready messages) as the gateway last read it, sampled every 500 ms.
    let depths: [[(at: Date, depth: Int)]]
    /// Resource use from the end of the warm-up to the stop.
    let usageWindow: (Usage, Usage)
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Logger {
    static func quiet(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        return logger
    }
}

/// This process's CPU time and the machine's busy time, now.
struct Usage {
    var wall: Double
    var processCPU: Double
    var machineBusy: Double?
    var brokerCPU: Double?

    static func now(brokerPID: Int?) -> Usage {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        var busy: Double?
        if let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) {
            let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            // user nice system (idle) (iowait) irq softirq steal
            if ticks.count >= 8 { busy = (ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]) / Double(sysconf(Int32(_SC_CLK_TCK))) }
        }
        var broker: Double?
        if let brokerPID, let stat = try? String(contentsOfFile: "/proc/\(brokerPID)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")") {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
                broker = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
            }
        }
        return Usage(wall: Date().timeIntervalSince1970, processCPU: cpu, machineBusy: busy, brokerCPU: broker)
    }
}
