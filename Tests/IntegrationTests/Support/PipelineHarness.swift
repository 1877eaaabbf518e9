import Foundation
import GatewayCore
import GatewayTestSupport
import GenesysSandbox
@testable import AMQPTransport
@testable import GatewayApp
import Logging
@testable import Broker

extension Logger {
    /// A logger that only speaks up for critical trouble, so test output stays readable.
    static func quiet(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        return logger
    }
}

extension TemporaryDirectory {
    /// A new folder under the temp directory that outlives this value (for state a restarted gateway reads).
    static func fresh() -> String {
        let path = NSTemporaryDirectory() + "ggw-state-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// The whole gateway (`GatewayServices`: consumer, dispatcher, delivery) on a real RabbitMQ and the real
/// sandbox, with a publisher and a probe for the test's own queues.
struct PipelineHarness: Sendable {
    let sandbox: RunningSandbox
    let publisher: AMQPClient
    let probe: BrokerProbe
    let statusCapture: String
    let topology: QueueTopology

    /// Starts sandbox, publisher and gateway; runs `body`; stops them.
    /// - Parameters:
    ///   - shared: shared mode (`run --redis-url`): org limits, tokens and the shared stores in that Redis.
    ///   - topology: the queues and exchanges, when the test must know their names first; new ones by default.
    ///   - sandboxTLS: the sandbox serves HTTPS with these files.
    ///   - httpTransport: the gateway's own CAs, client certificate and proxy (`run --http-…`).
    static func run<T: Sendable>(
        _ name: String, orgs: [TestOrg], brokerURL: String? = nil, stateDirectory: String = TemporaryDirectory.fresh(),
        shared: SharedModeSettings? = nil, topology: QueueTopology? = nil, sandboxTLS: SandboxTLS? = nil,
        httpTransport: HTTPTransportSettings = HTTPTransportSettings(),
        _ body: @Sendable (PipelineHarness, GatewayServices) async throws -> T
    ) async throws -> T {
        let url = try brokerURL ?? BrokerProbe.url
        let topology = topology ?? BrokerProbe.uniqueTopology(name)
        let probe = BrokerProbe(url: url, topology: topology)
        let capture = try probe.declareWithStatusCapture()
        let logger = Logger.quiet("pipeline")
        return try await GatewayHarness.withSandbox(orgs: orgs, sandboxTLS: sandboxTLS, logger: logger) { setup in
            let (sandbox, configuration, secrets) = (setup.sandbox, setup.configuration, setup.secrets)
            let gateway = try GatewayServices(
                configuration: configuration,
                settings: .init(
                    amqp: .init(url: url, topology: topology, prefetch: 500), perOrgInFlight: 16,
                    stateDirectory: stateDirectory, shutdownTimeout: .seconds(5), shared: shared, httpTransport: httpTransport),
                secrets: secrets, logger: logger)
            let publisher = AMQPClient(settings: .init(url: url, topology: topology, prefetch: 0), logger: logger)
            let harness = PipelineHarness(sandbox: sandbox, publisher: publisher, probe: probe, statusCapture: capture, topology: topology)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { await publisher.run(); return nil }
                group.addTask { try await gateway.run(); return nil }
                defer {
                    publisher.stop()
                    group.cancelAll()
                }
                return try await body(harness, gateway)
            }
        }
    }

    /// Publishes messages (confirmed by the broker), in order.
    func publish(_ messages: [[UInt8]]) async throws {
        for message in messages {
            try await publisher.publish(AMQPMessage(routingKey: topology.outbound, body: message))
        }
    }

    /// Waits until `condition` holds or `timeout` passes; returns whether it held.
    func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }
}
