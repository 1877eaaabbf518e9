import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import AMQPTransport
@testable import Broker
import Testing

/// Genesys' side of the webhook over HTTPS: the sandbox, trusting the test's CA (`--webhook-ca-file`), posts an
/// agent message to a `genesys-gateway run --tls-cert-file` process, which publishes it to `genesys.inbound`; a
/// sandbox on the system's CAs refuses the same certificate, and one given a CA file it cannot read does not start.
@Suite(.timeLimit(.minutes(2))) struct HTTPSWebhookIntegrationTests {
    static let org = TestOrg(tenant: "tlshook", name: "main")

    @Test func theSandboxPostsAnAgentMessageOverHTTPSAndTheGatewayPublishesItToTheInboundExchange() async throws {
        let published = try await Self.agentMessage(trustingTestCA: true)
        #expect(published.report?.delivered == true, "\(String(describing: published.report))")
        #expect(published.report?.attempts.first?.statusCode == 200, "the first attempt was not answered 200")
        let message = try #require(published.messages.first.flatMap {
            try JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any]
        })
        #expect(published.messages.count == 1)
        #expect(message["text"] as? String == "An agent over HTTPS")
        #expect(message["customerId"] as? String == "+15550077")
        #expect(published.messages.first?.routingKey.hasPrefix("tlshook.main.") == true)
    }

    @Test func aSandboxOnTheSystemsCAsRefusesTheTestCertificateAndNothingIsPublished() async throws {
        let published = try await Self.agentMessage(trustingTestCA: false)
        #expect(published.report?.delivered == false)
        #expect(published.report?.attempts.allSatisfy { $0.statusCode == nil } == true)
        #expect(published.messages.isEmpty)
        // Refused for the certificate, not for anything else (the client on the system's CAs does not know the test CA).
        let errors = published.report?.attempts.compactMap(\.error) ?? []
        #expect(errors.count == 6 && errors.allSatisfy { $0.contains("CERTIFICATE_VERIFY_FAILED") }, "\(errors)")
    }

    @Test func theSandboxDoesNotStartWithACAFileItCannotRead() async throws {
        let logPath = NSTemporaryDirectory() + "ggw-sandbox-ca-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = try ScriptProcess.start(
            [BuiltPlugins.buildDirectory + "/genesys-sandbox", "--port", "0", "--webhook-ca-file", "/nonexistent/ca.pem"],
            output: log)
        try? log.close()
        // A sandbox that started anyway would serve for ever: it gets 10 s to exit, then it is stopped.
        var status: Int32 = 0
        let exited = await Isolation.eventually(timeout: .seconds(10)) {
            let result = waitpid(process.processIdentifier, &status, WNOHANG)
            return result == process.processIdentifier || (result < 0 && !process.isRunning)
        }
        if !exited {
            kill(process.processIdentifier, SIGKILL)
            _ = ScriptProcess.wait(for: process)
        }
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(exited, "the sandbox started with a CA file it cannot read: \(output)")
        #expect(output.contains("--webhook-ca-file /nonexistent/ca.pem"), "\(output)")
    }

    /// Opens a conversation through the gateway's API over HTTPS, has the sandbox's agent answer in it, and returns
    /// the sandbox's delivery report and what reached a queue bound to the gateway's inbound exchange.
    static func agentMessage(trustingTestCA: Bool) async throws -> (report: DeliveryReport?, messages: [AMQPDelivery]) {
        let authority = try TestCertificateAuthority()
        let served = try authority.issue("gateway", commonName: "localhost", serial: "3C0004")
        let url = try BrokerProbe.url
        let prefix = BrokerProbe.uniquePrefix("https-webhook")
        let topology = QueueTopology(prefix: prefix)
        let probe = BrokerProbe(url: url, topology: topology)
        let capture = try Self.captureInbound(probe)
        let port = try FreePort.pick()
        let base = "https://127.0.0.1:\(port)"
        return try await GatewayHarness.withSandbox(
            orgs: [org], webhooksTo: base, webhookRetryIntervalMilliseconds: 100,
            // A certificate refused is retried by the HTTP client until the attempt's time is up: keep it short.
            webhookTimeoutMilliseconds: trustingTestCA ? 10_000 : 1_000,
            webhookCAFile: trustingTestCA ? authority.certificatePath : nil, logger: .quiet("https-webhook")
        ) { setup in
            let gateway = try IsolationGatewayProcess(
                setup: setup, url: url, prefix: prefix, apiPort: port,
                extraArguments: ["--tls-cert-file", served.certificate, "--tls-key-file", served.key])
            do {
                let result = try await HTTPSProbe.with(caPath: authority.certificatePath) { https in
                    let ready = await Isolation.eventually(timeout: .seconds(30)) { (try? await https.call(base + "/ready"))?.status == 200 }
                    try #require(ready, "gateway not ready over HTTPS within 30 s; log \(gateway.logPath):\n\(gateway.logTail())")
                    let created = try await https.call(
                        base + "/v1/conversations", bearer: org.apiKey,
                        json: #"{"kind":"open","message":{"id":"tls-1","type":"text","textBody":"hi","sender":{"id":"+15550077","idType":"Phone"}}}"#)
                    let object = try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any]
                    let conversation = try #require(object?["conversationId"] as? String, "\(created.status) \(created.body)")
                    let report = try await setup.sandbox.control.sendAgentMessage(conversationId: conversation, text: "An agent over HTTPS")
                    var messages: [AMQPDelivery] = []
                    if report?.delivered == true {
                        _ = await Isolation.eventually(timeout: .seconds(10)) {
                            messages += (try? probe.drain(capture)) ?? []
                            return !messages.isEmpty
                        }
                    } else {
                        try? await Task.sleep(for: .milliseconds(500))
                        messages = try probe.drain(capture)
                    }
                    return (report, messages)
                }
                await gateway.stop()
                return result
            } catch {
                await gateway.stop()
                throw error
            }
        }
    }

    /// Declares the prefix's topology and a queue bound to its inbound exchange, as the channel side would.
    static func captureInbound(_ probe: BrokerProbe) throws -> String {
        let connection = try AMQPConnection(url: probe.url, heartbeatSeconds: 0, connectTimeout: .seconds(5))
        try connection.openChannel(1)
        try probe.topology.declare(on: connection, channel: 1)
        let queue = probe.topology.inboundExchange + ".capture"
        try connection.declareQueue(queue, arguments: [], channel: 1)
        try connection.bindQueue(queue, exchange: probe.topology.inboundExchange, routingKey: "#", channel: 1)
        return queue
    }
}
