import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import GatewayCore
@testable import AMQPTransport
@testable import CurlHTTP
@testable import GatewayApp
import Logging
@testable import Broker

/// The whole gateway as `run` starts it — consumer, HTTP API, webhook, reloader — on a real RabbitMQ and the
/// real sandbox, with an HTTP client for the API (libcurl over loopback) and a probe into the broker.
struct APIHarness: Sendable {
    static let adminKey = "test-admin-key-0001"

    let baseURL: String
    /// The operations listener's address, when the harness started one.
    let opsBaseURL: String?
    let sandbox: RunningSandbox
    let probe: BrokerProbe
    let topology: QueueTopology
    let configDirectory: String
    private let http: CurlHTTPClient

    /// An answer from the API, with its body parsed when it is JSON.
    struct Answer: Sendable {
        var status: Int
        var body: [UInt8]

        var object: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]) ?? [:] }
        /// The error body's `error` object.
        var error: [String: Any] { object["error"] as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Starts sandbox (posting agent messages to the gateway's webhook), gateway and API; runs `body`; stops them.
    /// - Parameters:
    ///   - operationsListener: also serve the operations listener (`run --ops-port`) on a free port.
    ///   - publicMetrics: `run --public-metrics`.
    static func run<T: Sendable>(
        _ name: String, orgs: [TestOrg], maxLimiterWait: Duration = .seconds(2), operationsListener: Bool = false,
        publicMetrics: Bool = false, _ body: @Sendable (APIHarness) async throws -> T
    ) async throws -> T {
        let url = try BrokerProbe.url
        let topology = BrokerProbe.uniqueTopology(name)
        let probe = BrokerProbe(url: url, topology: topology)
        _ = try probe.declareWithStatusCapture()
        let logger = Logger.quiet("api")
        let port = try FreePort.pick()
        let baseURL = "http://127.0.0.1:\(port)"
        let opsPort = operationsListener ? try FreePort.pick() : nil
        return try await GatewayHarness.withSandbox(
            orgs: orgs, webhooksTo: baseURL, webhookRetryIntervalMilliseconds: 200, logger: logger
        ) { setup in
            let (ready, readySignal) = AsyncStream<Void>.makeStream()
            let listeners = opsPort == nil ? 1 : 2
            let gateway = try GatewayServices(
                configuration: setup.configuration,
                settings: .init(
                    amqp: .init(url: url, topology: topology, prefetch: 100), perOrgInFlight: 16,
                    stateDirectory: TemporaryDirectory.fresh(), shutdownTimeout: .seconds(5),
                    api: APISettings(
                        host: "127.0.0.1", port: port, adminKey: Secret(adminKey), maxLimiterWait: maxLimiterWait,
                        operations: opsPort.map { APISettings.Listener(port: $0) { _ in readySignal.yield() } }, publicMetrics: publicMetrics,
                        onServerRunning: { _ in readySignal.yield() }),
                    configDirectory: setup.configDirectory, genesysHosts: .testHosts),
                secrets: setup.secrets, logger: logger)
            let http = CurlHTTPClient()
            let harness = APIHarness(
                baseURL: baseURL, opsBaseURL: opsPort.map { "http://127.0.0.1:\($0)" }, sandbox: setup.sandbox, probe: probe, topology: topology,
                configDirectory: setup.configDirectory, http: http)
            // Stopped gracefully, never cancelled: a cancelled HTTP server can drop a response writer unfinished,
            // which NIO treats as a fatal error ("Deinited NIOAsyncWriter without calling finish()").
            let result = try await TestServer.run(gateway, logger: logger) {
                var iterator = ready.makeAsyncIterator()
                for _ in 0..<listeners { _ = await iterator.next() }
                _ = await harness.eventually { gateway.amqp.isConnected }
                return try await body(harness)
            }
            await http.shutdown()
            return result
        }
    }

    /// One request to the gateway's API (to `base` when given: ``opsBaseURL``).
    func call(
        _ method: String, _ path: String, key: String? = nil, json: String? = nil, headers: [(String, String)] = [], base: String? = nil
    ) async throws -> Answer {
        var all = headers
        if let key { all.append(("Authorization", "Bearer \(key)")) }
        if json != nil { all.append(("Content-Type", "application/json")) }
        let response = try await http.execute(HTTPRequest(
            method: method, url: (base ?? baseURL) + path, headers: all, body: Array((json ?? "").utf8),
            connectTimeout: .seconds(2), totalTimeout: .seconds(15)))
        return Answer(status: response.status, body: response.body)
    }

    /// Declares a queue bound to `genesys.inbound` (what the channel side would consume); returns its name.
    func captureInbound() throws -> String {
        let connection = try AMQPConnection(url: probe.url, heartbeatSeconds: 0, connectTimeout: .seconds(5))
        try connection.openChannel(1)
        let queue = topology.inboundExchange + ".capture"
        try connection.declareQueue(queue, arguments: [], channel: 1)
        try connection.bindQueue(queue, exchange: topology.inboundExchange, routingKey: "#", channel: 1)
        return queue
    }

    /// Waits until `condition` holds or `timeout` passes; returns whether it held.
    func eventually(timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    /// A text message body in our contract.
    static func text(id: String, org: String? = nil, tenant: String? = nil, customer: String = "+15550001", text: String = "hello") -> String {
        var fields = [#""id":"\#(id)""#, #""type":"text""#, #""textBody":"\#(text)""#, #""sender":{"id":"\#(customer)","idType":"Phone"}"#]
        if let org { fields.append(#""org":"\#(org)""#) }
        if let tenant { fields.append(#""tenantId":"\#(tenant)""#) }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
