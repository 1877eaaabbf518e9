import Foundation
import GatewayCore
import AMQPTransport
import Broker
import GatewayConfig
import GatewayTestSupport
import GenesysSandbox
import Logging

/// What every run of the pipeline benchmark stands on — a ``Phase`` or the ``Soak``: a fresh sandbox (one org per
/// benchmark org, the load's latency on every integration), the orgs' tenant files and the shipped plugins, a fresh
/// queue prefix, and a publisher connection with, on the direct path, every org queue declared and bound. The
/// consumer (the gateway, its processes or the baseline) is the caller's.
struct BenchRig: Sendable {
    /// Names the run in errors ("<name>: warm-up messages did not arrive").
    let name: String
    let load: Load
    let sandbox: RunningSandbox
    /// The orgs' tenant files, as `--config-dir`.
    let configDirectory: String
    /// The shipped plugins, as `--plugins-dir`.
    let pluginsDirectory: String
    /// Each org's client secret by the variable its tenant file names.
    let secretEnvironment: [String: String]
    /// The tenant files loaded as the gateway loads them (checked valid).
    let configuration: GatewayConfiguration
    /// Prefix of this run's message ids and queue names.
    let runID: String
    let topology: QueueTopology
    let publisher: AMQPClient
    /// Load messages go on the direct path (the org exchange, routing key `<tenant>.<org>`), not to the ingress queue.
    let direct: Bool

    var secrets: SecretResolver { SecretResolver(environment: secretEnvironment) }

    /// Runs `body` on a fresh rig and tears it down afterwards (the publisher stopped, every other child task of
    /// `group` — where `body` may start consumers — cancelled). `recordedPerOrg` caps the sandbox's record of
    /// received messages per org (a long run keeps only the newest).
    static func withRunning<T: Sendable>(
        name: String, load: Load, url: String, orgQueueType: QueueTopology.QueueType, direct: Bool, recordedPerOrg: Int? = nil,
        _ body: (BenchRig, inout ThrowingTaskGroup<Void, any Error>) async throws -> T
    ) async throws -> T {
        let logger = Logger.quiet("pipeline-bench")
        var sandboxConfiguration = SandboxConfiguration(
            host: "127.0.0.1", port: 0, orgs: load.orgs.map { $0.sandboxOrg() },
            defaultTokenLifetimeSeconds: 86_400, defaultRatePerMinute: 100_000_000)
        if let recordedPerOrg { sandboxConfiguration.maxRecordedMessages = recordedPerOrg }
        return try await SandboxServer.withRunning(sandboxConfiguration, logger: logger) { sandbox in
            for org in load.orgs {
                try sandbox.control.setFaults(FaultSettings(latencyMs: load.latencyMs), for: .integration(org.integrationID))
            }
            let configs = TemporaryDirectory()
            for org in load.orgs { _ = configs.write("\(org.tenant).yaml", org.tenantYAML(baseURL: sandbox.baseURL)) }
            let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
            let secretEnvironment = Dictionary(uniqueKeysWithValues: load.orgs.map { ($0.secretVariable, $0.secret) })
            let configuration = GatewayConfiguration.load(
                configDirectory: configs.path, pluginsDirectory: plugins.path, secrets: SecretResolver(environment: secretEnvironment),
                genesysHosts: .testHosts, logger: logger)
            guard configuration.isValid, configuration.tenants.count == load.orgs.count else {
                throw BenchError("configuration invalid: \(configuration.configErrors) \(configuration.pluginErrors)")
            }
            let runID = "r" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
            var topology = QueueTopology(prefix: "bench.\(runID)")
            topology.orgQueueType = orgQueueType
            let publisher = AMQPClient(settings: .init(url: url, topology: topology, prefetch: 0), logger: logger)
            let rig = BenchRig(
                name: name, load: load, sandbox: sandbox, configDirectory: configs.path, pluginsDirectory: plugins.path,
                secretEnvironment: secretEnvironment, configuration: configuration, runID: runID, topology: topology,
                publisher: publisher, direct: direct)
            // The folders go when their objects do: not before the run is over.
            defer { withExtendedLifetime((configs, plugins)) {} }
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await publisher.run() }
                defer { publisher.stop() }
                if direct { try await rig.bindOrgQueues() }
                let result = try await body(rig, &group)
                group.cancelAll()
                return result
            }
        }
    }

    /// A load message as this rig publishes it.
    func message(_ body: [UInt8], for org: BenchOrg) -> AMQPMessage {
        guard direct else { return AMQPMessage(routingKey: topology.outbound, body: body) }
        return AMQPMessage(
            exchange: topology.orgExchange, routingKey: topology.directRoutingKey(for: org.key), body: body, mandatory: true)
    }

    /// Declares and binds every org queue as the gateway does, as a gateway that ran before would have left them, so
    /// that a load queued before the gateway starts (flat out) takes the direct path too: the publisher consumes
    /// each queue until it is declared and bound, then lets go (a binding outlives its consumer).
    private func bindOrgQueues() async throws {
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

    /// One message per org (tokens fetched, connections opened), waited for at the sandbox; left out of every figure
    /// (their ids start `<runID>w-`, the load's `<runID>-`).
    func warmUp() async throws {
        for org in load.orgs {
            try await publisher.publish(message(org.message(id: "\(runID)w-\(org.tenant)", number: 0), for: org))
        }
        guard await waitFor(prefix: "\(runID)w-", count: load.orgs.count, timeout: .seconds(60)) else {
            throw BenchError("\(name): warm-up messages did not arrive")
        }
    }

    /// Publishes `load.total` messages: paced (every 5 ms, whatever is due at the aggregate rate) or
    /// all at once; 64 confirms outstanding at most. `publishing` is called with each message just before its publish.
    func publish(paced: Bool, publishing: @escaping @Sendable (LoadItem) -> Void) async throws {
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
                        publishing(item)
                        try await publisher.publish(message(item.bytes, for: item.org))
                    }
                }
                if paced { try await Task.sleep(for: .milliseconds(5)) }
            }
            try await group.waitForAll()
        }
    }

    /// Whether `count` messages whose ids start with `prefix` reached the sandbox within `timeout`.
    func waitFor(prefix: String, count: Int, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !Task.isCancelled {
            let n = sandbox.control.received().count { $0.channelMessageId?.hasPrefix(prefix) ?? false }
            if n >= count { return true }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return false
    }
}
