import Foundation
import GatewayCore
import AMQPTransport
import Broker
import GatewayConfig
import GatewayApp
import GatewayTestSupport
import GenesysSandbox
import Logging
import Synchronization

/// One measured run: a fresh sandbox and queue prefix, a consumer (the gateway or the baseline), the
/// publisher (paced at the offered rate, or everything before the consumer starts), then the report.
struct Phase {
    enum Consumer {
        /// `GatewayServices` inside the benchmark process.
        case gateway
        /// `count` `genesys-gateway run` processes, sharing Redis at `redisURL` when given.
        case processes(count: Int, redisURL: String?)
        /// The baseline taking `steps`, inside the benchmark process or (`ownProcess`) as a process of its own.
        case baseline(BaselineSteps, ownProcess: Bool)
    }
    let name: String
    let load: Load
    let url: String
    let prefetch: UInt16
    let inFlight: Int
    let consumer: Consumer
    let paced: Bool
    var connections = 64
    var orgQueueType = QueueTopology.QueueType.quorum
    /// Seconds of idle measured once the load has drained (gateway processes only; 0: none).
    var idleSeconds = 0
    /// How the gateway's load is published: the direct path (the org exchange, `<tenant>.<org>`) or the ingress queue
    /// the router serves. The baseline's load always goes to the ingress queue, the one queue it consumes.
    var publishPath = PublishPath.direct
    /// The gateway processes' `--status-events`.
    var statusEvents = "all"

    enum PublishPath: String, Sendable {
        case direct, router
    }

    /// Whether this phase's messages are published on the direct path.
    private var publishesDirect: Bool {
        if case .baseline = consumer { return false }
        return publishPath == .direct
    }

    func run() async throws -> PhaseResult {
        let logger = Logger.quiet("pipeline-bench")
        let sandboxConfiguration = SandboxConfiguration(
            host: "127.0.0.1", port: 0, orgs: load.orgs.map { $0.sandboxOrg() },
            defaultTokenLifetimeSeconds: 86_400, defaultRatePerMinute: 100_000_000)
        return try await SandboxServer.withRunning(sandboxConfiguration, logger: logger) { sandbox in
            for org in load.orgs {
                try sandbox.control.setFaults(FaultSettings(latencyMs: load.latencyMs), for: .integration(org.integrationID))
            }
            let configs = TemporaryDirectory()
            for org in load.orgs { _ = configs.write("\(org.tenant).yaml", org.tenantYAML(baseURL: sandbox.baseURL)) }
            let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
            let secrets = SecretResolver(environment: Dictionary(uniqueKeysWithValues: load.orgs.map { ($0.secretVariable, $0.secret) }))
            let configuration = GatewayConfiguration.load(
                configDirectory: configs.path, pluginsDirectory: plugins.path, secrets: secrets, logger: logger)
            guard configuration.isValid, configuration.tenants.count == load.orgs.count else {
                throw BenchError("configuration invalid: \(configuration.configErrors) \(configuration.pluginErrors)")
            }
            let runID = "r" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
            var topology = QueueTopology(prefix: "bench.\(runID)")
            topology.orgQueueType = orgQueueType
            let stateDirectory = NSTemporaryDirectory() + "ggw-bench-\(runID)"
            let logDirectory = NSTemporaryDirectory() + "ggw-bench-\(runID)-logs"
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: stateDirectory) }

            let publisher = AMQPClient(settings: .init(url: url, topology: topology, prefetch: 0), logger: logger)
            let publishTimes = PublishTimes()
            var redisCounter: RedisCommandCounter?
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await publisher.run() }
                defer { publisher.stop() }
                // Paced: consumer first, one warm-up message per org (tokens, connections), then the load.
                // Unpaced (max): the whole load is queued first, then the consumer starts.
                if publishesDirect { try await bindOrgQueues(publisher: publisher, topology: topology) }
                var before = ProcessUsage.now()
                var publishSeconds = 0.0
                if !paced {
                    let started = ContinuousClock.now
                    try await publish(publisher: publisher, topology: topology, runID: runID, times: publishTimes)
                    publishSeconds = (ContinuousClock.now - started).seconds
                    before = ProcessUsage.now()
                }
                var measured: MeasuredProcesses?
                defer { measured?.stop() }
                // The consumer processes' CPU and Redis' command count from where the process's own `before` is taken.
                var measuredBefore = 0.0
                var commandsBefore: Int?
                switch consumer {
                case .processes(let count, let redisURL):
                    measured = try await MeasuredProcesses.startGateways(
                        count: count, orgs: load.orgs.count, redisURL: redisURL, configDirectory: configs.path, pluginsDirectory: plugins.path,
                        environment: Dictionary(uniqueKeysWithValues: load.orgs.map { ($0.secretVariable, $0.secret) }),
                        url: url, topology: topology, prefetch: prefetch, inFlight: inFlight, statusEvents: statusEvents,
                        logDirectory: logDirectory)
                    redisCounter = try redisURL.map { try RedisCommandCounter(url: $0) }
                case .gateway:
                    let gateway = try GatewayServices(
                        configuration: configuration,
                        settings: .init(amqp: .init(url: url, topology: topology, prefetch: prefetch), perOrgInFlight: inFlight,
                                        stateDirectory: stateDirectory, shutdownTimeout: .seconds(5)),
                        secrets: secrets, logger: logger)
                    group.addTask { try await gateway.run() }
                case .baseline(let steps, let ownProcess):
                    let settings = BaselineSettings(
                        amqpURL: url, queuePrefix: "bench.\(runID)", orgQueueType: orgQueueType.rawValue, prefetch: prefetch,
                        orgPrefetch: UInt16(clamping: inFlight), connections: connections, steps: steps,
                        targets: try await BaselineTarget.fetch(for: load.orgs, baseURL: sandbox.baseURL), parentPID: getpid())
                    if ownProcess {
                        measured = try MeasuredProcesses.startBaseline(settings: settings, directory: stateDirectory, logDirectory: logDirectory)
                    } else {
                        let baseline = try Baseline(settings: settings, logger: logger)
                        group.addTask { await baseline.run() }
                    }
                }
                if !paced {
                    measuredBefore = measured?.cpuSeconds ?? 0
                    commandsBefore = await redisCounter?.commandsProcessed()
                }
                if paced {
                    for org in load.orgs {
                        try await publisher.publish(message(org.message(id: "\(runID)w-\(org.tenant)", number: 0), for: org, topology: topology))
                    }
                    guard await waitFor(sandbox, prefix: "\(runID)w-", count: load.orgs.count, timeout: .seconds(60)) else {
                        throw BenchError("\(name): warm-up messages did not arrive")
                    }
                    before = ProcessUsage.now()
                    measuredBefore = measured?.cpuSeconds ?? 0
                    commandsBefore = await redisCounter?.commandsProcessed()
                    let started = ContinuousClock.now
                    try await publish(publisher: publisher, topology: topology, runID: runID, times: publishTimes)
                    publishSeconds = (ContinuousClock.now - started).seconds
                }
                let arrived = await waitFor(sandbox, prefix: "\(runID)-", count: load.total, timeout: .seconds(Int64(load.seconds) + 90))
                let after = ProcessUsage.now()
                let consumerProcesses = measured.map { measured in
                    ConsumerProcessUsage(
                        label: measured.label, count: measured.processes.count, cpuSeconds: measured.cpuSeconds - measuredBefore,
                        residentMiB: measured.residentMiB)
                }
                let commandsAfter = await redisCounter?.commandsProcessed()
                let redisCommands = commandsAfter.flatMap { after in commandsBefore.map { after - $0 } }
                await redisCounter?.shutdown()
                let received = sandbox.control.received().filter { $0.channelMessageId?.hasPrefix("\(runID)-") ?? false }
                var result = PhaseResult.analyse(
                    name: name, load: load, received: received, published: publishTimes.lock.withLock { $0 },
                    publishSeconds: publishSeconds, complete: arrived, before: before, after: after, consumerProcesses: consumerProcesses,
                    redisCommands: redisCommands)
                result.print()
                if let measured {
                    if let failures = measured.brokerConnectionFailures() { print("   " + failures) }
                    if !arrived {
                        for process in measured.processes { print("   \(process.logPath):\n\(process.logTail())") }
                    }
                    if idleSeconds > 0, case .processes = consumer {
                        let idle = try await IdleCost.measure(measured, tenants: load.orgs.count, seconds: idleSeconds)
                        print("   " + idle.line)
                        result.idle = idle
                    }
                }
                group.cancelAll()
                return result
            }
        }
    }

    /// A load message as this phase publishes it.
    private func message(_ body: [UInt8], for org: BenchOrg, topology: QueueTopology) -> AMQPMessage {
        guard publishesDirect else { return AMQPMessage(routingKey: topology.outbound, body: body) }
        return AMQPMessage(
            exchange: topology.orgExchange, routingKey: topology.directRoutingKey(for: org.key), body: body, mandatory: true)
    }

    /// Declares and binds every org queue as the gateway does, as a gateway that ran before would have left them, so
    /// that a load queued before the gateway starts (flat out) takes the direct path too: the publisher consumes
    /// each queue until it is declared and bound, then lets go (a binding outlives its consumer).
    private func bindOrgQueues(publisher: AMQPClient, topology: QueueTopology) async throws {
        let queues = load.orgs.map { topology.orgQueue(for: $0.key) }
        for org in load.orgs {
            publisher.subscribe(AMQPSubscription(
                queue: topology.orgQueueDeclaration(for: org.key), prefetch: 1,
                bindings: topology.directBindings(for: org.key, isDefault: true)))
        }
        let deadline = ContinuousClock.now + .seconds(120)
        while Set(publisher.queueDepths.keys).isSuperset(of: queues) == false {
            guard ContinuousClock.now < deadline else { throw BenchError("\(name): org queues not declared within 120 s") }
            try await Task.sleep(for: .milliseconds(50))
        }
        queues.forEach(publisher.unsubscribe(queue:))
    }

    /// Publishes `load.total` messages: paced (every 5 ms, whatever is due at the aggregate rate) or
    /// all at once; 64 confirms outstanding at most. Records each message's publish time (at the call).
    private func publish(publisher: AMQPClient, topology: QueueTopology, runID: String, times: PublishTimes) async throws {
        let total = load.total
        let aggregate = Double(load.orgs.count * load.rate)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            var outstanding = 0
            while next < total {
                let due = paced ? min(total, Int(((ContinuousClock.now - started).seconds * aggregate).rounded(.down)) + 1) : total
                while next < due {
                    if outstanding >= 64 { try await group.next(); outstanding -= 1 }
                    let item = load.item(next, runID: runID)
                    next += 1
                    outstanding += 1
                    group.addTask {
                        times.lock.withLock { $0[item.id] = Date() }
                        try await publisher.publish(message(item.bytes, for: item.org, topology: topology))
                    }
                }
                if paced { try await Task.sleep(for: .milliseconds(5)) }
            }
            try await group.waitForAll()
        }
    }

    private func waitFor(_ sandbox: RunningSandbox, prefix: String, count: Int, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let n = sandbox.control.received().count { $0.channelMessageId?.hasPrefix(prefix) ?? false }
            if n >= count { return true }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return false
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

final class PublishTimes: Sendable {
    let lock = Mutex<[String: Date]>([:])
}
