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
        try await BenchRig.withRunning(name: name, load: load, url: url, orgQueueType: orgQueueType, direct: publishesDirect) { rig, group in
            let stateDirectory = NSTemporaryDirectory() + "ggw-bench-\(rig.runID)"
            let logDirectory = NSTemporaryDirectory() + "ggw-bench-\(rig.runID)-logs"
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: stateDirectory) }

            let publishTimes = PublishTimes()
            let recordPublishTime: @Sendable (LoadItem) -> Void = { item in publishTimes.lock.withLock { $0[item.id] = Date() } }
            var redisProbe: RedisProbe?
            // Paced: consumer first, one warm-up message per org (tokens, connections), then the load.
            // Unpaced (max): the whole load is queued first, then the consumer starts.
            var before = ProcessUsage.now()
            var publishSeconds = 0.0
            if !paced {
                let started = ContinuousClock.now
                try await rig.publish(paced: false, publishing: recordPublishTime)
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
                    count: count, orgs: load.orgs.count, redisURL: redisURL, configDirectory: rig.configDirectory,
                    pluginsDirectory: rig.pluginsDirectory, environment: rig.secretEnvironment, url: url, topology: rig.topology,
                    prefetch: prefetch, inFlight: inFlight, statusEvents: statusEvents, logDirectory: logDirectory)
                redisProbe = try redisURL.map { try RedisProbe(url: $0) }
            case .gateway:
                let gateway = try GatewayServices(
                    configuration: rig.configuration,
                    settings: .init(amqp: .init(url: url, topology: rig.topology, prefetch: prefetch), perOrgInFlight: inFlight,
                                    stateDirectory: stateDirectory, shutdownTimeout: .seconds(5)),
                    secrets: rig.secrets, logger: Logger.quiet("pipeline-bench"))
                group.addTask { try await gateway.run() }
            case .baseline(let steps, let ownProcess):
                let settings = BaselineSettings(
                    amqpURL: url, queuePrefix: "bench.\(rig.runID)", orgQueueType: orgQueueType.rawValue, prefetch: prefetch,
                    orgPrefetch: UInt16(clamping: inFlight), connections: connections, steps: steps,
                    targets: try await BaselineTarget.fetch(for: load.orgs, baseURL: rig.sandbox.baseURL), parentPID: getpid())
                if ownProcess {
                    measured = try MeasuredProcesses.startBaseline(settings: settings, directory: stateDirectory, logDirectory: logDirectory)
                } else {
                    let baseline = try Baseline(settings: settings, logger: Logger.quiet("pipeline-bench"))
                    group.addTask { await baseline.run() }
                }
            }
            if !paced {
                measuredBefore = measured?.cpuSeconds ?? 0
                commandsBefore = await redisProbe?.commandsProcessed()
            }
            if paced {
                try await rig.warmUp()
                before = ProcessUsage.now()
                measuredBefore = measured?.cpuSeconds ?? 0
                commandsBefore = await redisProbe?.commandsProcessed()
                let started = ContinuousClock.now
                try await rig.publish(paced: true, publishing: recordPublishTime)
                publishSeconds = (ContinuousClock.now - started).seconds
            }
            let arrived = await rig.waitFor(prefix: "\(rig.runID)-", count: load.total, timeout: .seconds(Int64(load.seconds) + 90))
            let after = ProcessUsage.now()
            let consumerProcesses = measured.map { measured in
                ConsumerProcessUsage(
                    label: measured.label, count: measured.processes.count, cpuSeconds: measured.cpuSeconds - measuredBefore,
                    residentMiB: measured.residentMiB)
            }
            let commandsAfter = await redisProbe?.commandsProcessed()
            let redisCommands = commandsAfter.flatMap { after in commandsBefore.map { after - $0 } }
            await redisProbe?.shutdown()
            let received = rig.sandbox.control.received().filter { $0.channelMessageId?.hasPrefix("\(rig.runID)-") ?? false }
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
            return result
        }
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
