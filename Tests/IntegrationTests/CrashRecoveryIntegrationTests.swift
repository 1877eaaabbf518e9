import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import GatewayCore
@testable import AMQPTransport
@testable import CurlHTTP
import Logging
import Testing
@testable import Broker

/// End to end under crashes, with the gateway as its own process (`genesys-gateway run`): the broker
/// restarts mid-run; the gateway is killed with SIGKILL mid-run and started again.
///
/// Duplicates allowed (docs/testing.md): none after a broker restart — the gateway outlives it, and a redelivered
/// message waits for its own send still under way, then finds its receipt. After a SIGKILL, only messages whose
/// call to Genesys was under way at the kill: a `sending` line in the idempotency record with no receipt or `ended`
/// after it, read from the killed gateway's state folder before the restart (the send a kill cut short, which the
/// restarted gateway sends again flagged `possibleDuplicate`); there can be no more of those than the org queue's
/// prefetch. Each run ends by stopping the gateway and finding no copy left in any of its queues, so no duplicate
/// can come after the count.
@Suite(.timeLimit(.minutes(3)), .serialized) struct CrashRecoveryIntegrationTests {
    static let org = TestOrg(tenant: "acme", name: "us", rate: 50, burst: 1)
    static let total = 300
    /// The org queue's prefetch (rate × 0.5 s): the most messages the gateway holds of the org at once.
    static let inFlightBound = Int((org.rate * 0.5).rounded(.up))

    @Test func aBrokerRestartMidRunLosesNothing() async throws {
        let broker = ScriptProcess.Broker(port: Int.random(in: 5700...5899), runDirectory: TemporaryDirectory.fresh())
        try broker.start()
        defer { try? broker.reset() }
        try await Self.withGatewayProcess(url: broker.url, prefix: BrokerProbe.uniquePrefix("restart")) { run in
            try await run.waitForDistinct(60)
            try broker.stop()
            let atStop = Set(run.received()).count
            try #require(atStop < Self.total, "all \(Self.total) were delivered before the broker stopped: nothing was pending")
            try broker.start()
            try await run.waitForDistinct(Self.total, timeout: .seconds(60))
            let (received, leftOver) = try run.finish()
            let duplicates = received.count - Set(received).count
            print("broker restart: \(atStop) delivered at the stop, \(received.count) received, \(duplicates) duplicate(s), left in queues \(leftOver)")
            #expect(Set(received).count == Self.total)
            #expect(leftOver.isEmpty, "copies still queued when the gateway stopped: \(leftOver)")
            #expect(duplicates == 0, "sent again after a broker restart: \(Self.copies(received))")
        }
    }

    @Test func aGatewayKilledMidRunAndRestartedLosesNothing() async throws {
        try await Self.withGatewayProcess(url: try BrokerProbe.url, prefix: BrokerProbe.uniquePrefix("sigkill")) { run in
            try await run.waitForDistinct(100)
            try run.kill()
            let atKill = Set(run.received()).count
            try #require(atKill < Self.total, "all \(Self.total) were delivered before the kill: nothing was pending")
            let underWay = try run.sendsUnderWay()
            try run.restart()
            try await run.waitForDistinct(Self.total, timeout: .seconds(60))

            // The process serves its API, and `run` counts HTTP requests into the same /metrics, which the
            // operations listener serves (and the public one no longer does).
            let http = CurlHTTPClient()
            func get(_ path: String, port: Int) async throws -> HTTPResponse {
                try await http.execute(HTTPRequest(
                    method: "GET", url: "http://127.0.0.1:\(port)\(path)", headers: [], body: [],
                    connectTimeout: .seconds(2), totalTimeout: .seconds(5)))
            }
            #expect(try await get("/ready", port: run.apiPort).status == 200)
            #expect(try await get("/metrics", port: run.apiPort).status == 404)
            let metrics = String(decoding: try await get("/metrics", port: run.opsPort).body, as: UTF8.self)
            await http.shutdown()
            #expect(metrics.contains(#"hb_requests{http_route="/ready",http_request_method="GET",http_response_status_code="200"} 1"#))
            #expect(metrics.contains(#"genesys_gateway_messages_sent_total{tenant="acme",org="us"}"#))

            let (received, leftOver) = try run.finish()
            let copies = Self.copies(received)
            let duplicates = received.count - Set(received).count
            print("SIGKILL recovery: \(atKill) delivered before the kill, \(underWay.count) send(s) under way at the kill \(underWay.sorted()), \(Set(received).count) of \(Self.total) after the restart, \(duplicates) duplicate(s) \(copies)")
            #expect(Set(received).count == Self.total)
            #expect(leftOver.isEmpty, "copies still queued when the gateway stopped: \(leftOver)")
            #expect(underWay.count <= Self.inFlightBound, "\(underWay.count) sends under way at the kill: more than the \(Self.inFlightBound) the org queue's prefetch allows")
            #expect(Set(copies.keys).isSubset(of: underWay), "sent again though no send of it was under way at the kill: \(copies.filter { !underWay.contains($0.key) })")
            #expect(copies.values.allSatisfy { $0 == 2 }, "sent more than twice: \(copies)")
        }
    }

    /// Message ids Genesys got more than once, with how often.
    static func copies(_ received: [String]) -> [String: Int] {
        Dictionary(received.map { ($0, 1) }, uniquingKeysWith: +).filter { $0.value > 1 }
    }

    /// A gateway process consuming 300 queued messages for one org paced at 50/s (6 s), against an
    /// in-process sandbox.
    final class GatewayRun: @unchecked Sendable {
        // Touched only by the test's own task.
        let arguments: [String]
        let environment: [String: String]
        let apiPort: Int
        let opsPort: Int
        let sandbox: RunningSandbox
        let stateDirectory: String
        let probe: BrokerProbe
        var process: Process

        init(
            arguments: [String], environment: [String: String], apiPort: Int, opsPort: Int, sandbox: RunningSandbox,
            stateDirectory: String, probe: BrokerProbe
        ) throws {
            self.apiPort = apiPort
            self.opsPort = opsPort
            self.arguments = arguments
            self.environment = environment
            self.sandbox = sandbox
            self.stateDirectory = stateDirectory
            self.probe = probe
            process = try ScriptProcess.start(arguments, environment: environment)
        }

        func received() -> [String] { sandbox.control.received().compactMap(\.channelMessageId) }

        @discardableResult
        func waitForDistinct(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [String] {
            let deadline = ContinuousClock.now + timeout
            while Set(received()).count < count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            return received()
        }

        func kill() throws {
            Foundation.kill(process.processIdentifier, SIGKILL)
            _ = ScriptProcess.wait(for: process)
        }

        func restart() throws {
            process = try ScriptProcess.start(arguments, environment: environment)
        }

        func stop() {
            process.terminate()
            _ = ScriptProcess.wait(for: process)
        }

        /// Stops the gateway (SIGTERM: it finishes what it holds), then returns what Genesys got and the queues
        /// that still hold messages. Nothing can reach Genesys after that: what is not received and not queued
        /// is gone, and a copy still queued would be sent by the next gateway.
        func finish() throws -> (received: [String], leftOver: [String: Int]) {
            stop()
            let topology = probe.topology
            let queues = [topology.outbound, topology.orgQueue(for: CrashRecoveryIntegrationTests.org.key)]
                + topology.retryTiers.map { topology.retryQueue(for: $0) } + [topology.deadLetterQueue, topology.parkedQueue]
            return (received(), try probe.readyCounts(queues).filter { $0.value != 0 })
        }

        /// The sends the killed gateway's idempotency record shows under way (``IdempotencyRecordFile``).
        func sendsUnderWay() throws -> Set<String> {
            try IdempotencyRecordFile.sendsUnderWay(stateDirectory: stateDirectory)
        }
    }

    static func withGatewayProcess(url: String, prefix: String, _ body: @Sendable (GatewayRun) async throws -> Void) async throws {
        let state = TemporaryDirectory.fresh()
        try await GatewayHarness.withSandbox(orgs: [org], logger: .quiet("crash")) { setup in
            let publisher = AMQPClient(settings: .init(url: url, topology: QueueTopology(prefix: prefix), prefetch: 0), logger: .quiet("publisher"))
            async let publisherRun: Void = publisher.run()
            for index in 0..<total {
                let message = GatewayHarness.textMessage(id: "m-\(index)", org: org, customer: "c\(index % 10)", text: "\(index)")
                try await publisher.publish(AMQPMessage(routingKey: "\(prefix).outbound", body: message))
            }
            publisher.stop()
            await publisherRun
            let apiPort = try FreePort.pick()
            let opsPort = try FreePort.pick()
            let run = try GatewayRun(
                arguments: [
                    BuiltPlugins.buildDirectory + "/genesys-gateway", "run", "--config-dir", setup.configDirectory,
                    "--plugins-dir", setup.pluginsDirectory, "--state-dir", state, "--amqp-url", url, "--queue-prefix", prefix,
                    "--api-port", String(apiPort), "--ops-port", String(opsPort), "--allow-genesys-host", "127.0.0.1",
                ],
                environment: setup.environment, apiPort: apiPort, opsPort: opsPort, sandbox: setup.sandbox,
                stateDirectory: state, probe: BrokerProbe(url: url, topology: QueueTopology(prefix: prefix)))
            defer { run.stop() }
            try await body(run)
        }
    }
}
