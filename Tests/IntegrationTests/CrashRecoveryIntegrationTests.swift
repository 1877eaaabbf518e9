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
@Suite(.timeLimit(.minutes(3)), .serialized) struct CrashRecoveryIntegrationTests {
    static let org = TestOrg(tenant: "acme", name: "us", rate: 50, burst: 1)

    @Test func aBrokerRestartMidRunLosesNothing() async throws {
        let broker = ScriptProcess.Broker(port: Int.random(in: 5700...5899), runDirectory: TemporaryDirectory.fresh())
        try broker.start()
        defer { try? broker.reset() }
        try await Self.withGatewayProcess(url: broker.url, prefix: BrokerProbe.uniquePrefix("restart")) { run in
            try await run.waitForDistinct(60)
            try broker.stop()
            try broker.start()
            let received = try await run.waitForDistinct(300, timeout: .seconds(60))
            print("broker restart: \(received.count) received, \(received.count - Set(received).count) duplicate(s)")
            #expect(Set(received).count == 300)
            #expect(received.count - Set(received).count <= 16, "more duplicates than messages in flight")
        }
    }

    @Test func aGatewayKilledMidRunAndRestartedLosesNothing() async throws {
        try await Self.withGatewayProcess(url: try BrokerProbe.url, prefix: BrokerProbe.uniquePrefix("sigkill")) { run in
            try await run.waitForDistinct(100)
            try run.kill()
            let atKill = Set(run.received()).count
            try run.restart()
            let received = try await run.waitForDistinct(300, timeout: .seconds(60))
            let duplicates = received.count - Set(received).count
            print("SIGKILL recovery: \(atKill) delivered before the kill, \(Set(received).count) of 300 after the restart, \(duplicates) duplicate(s)")
            #expect(Set(received).count == 300)
            #expect(duplicates <= 16, "more duplicates than messages in flight: \(duplicates)")

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
        }
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
        var process: Process

        init(arguments: [String], environment: [String: String], apiPort: Int, opsPort: Int, sandbox: RunningSandbox) throws {
            self.apiPort = apiPort
            self.opsPort = opsPort
            self.arguments = arguments
            self.environment = environment
            self.sandbox = sandbox
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
    }

    static func withGatewayProcess(url: String, prefix: String, _ body: @Sendable (GatewayRun) async throws -> Void) async throws {
        let state = TemporaryDirectory.fresh()
        try await GatewayHarness.withSandbox(orgs: [org], logger: .quiet("crash")) { setup in
            let publisher = AMQPClient(settings: .init(url: url, topology: QueueTopology(prefix: prefix), prefetch: 0), logger: .quiet("publisher"))
            async let publisherRun: Void = publisher.run()
            for index in 0..<300 {
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
                    "--api-port", String(apiPort), "--ops-port", String(opsPort),
                ],
                environment: setup.environment, apiPort: apiPort, opsPort: opsPort, sandbox: setup.sandbox)
            defer { run.stop() }
            try await body(run)
        }
    }
}
