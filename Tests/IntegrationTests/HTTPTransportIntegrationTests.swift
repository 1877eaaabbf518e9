import Foundation
import GatewayTestSupport
import GenesysSandbox
import Testing
@testable import AMQPTransport
@testable import Broker

/// TLS and proxies for outgoing HTTP (issue 25), end to end: a message queued on the real RabbitMQ reaches the
/// sandbox serving HTTPS with certificates of the test's own CA, which the system does not trust. An org's `http:`
/// block (the gateway in-process) and the gateway's own options (`genesys-gateway run` as a process) each decide
/// whether the gateway trusts the sandbox, shows it a client certificate, and goes through a CONNECT proxy.
@Suite(.serialized, .timeLimit(.minutes(3))) struct HTTPTransportIntegrationTests {
    /// How long a message that cannot go is watched after the other arrived: more than its first retries take.
    static let refusalWatch = Duration.seconds(3)

    static func sandboxTLS(requiringClientCertificates: Bool = false) throws -> SandboxTLS {
        let certificates = try TestCertificates.shared()
        return SandboxTLS(
            certificateFile: certificates.serverCertificate, keyFile: certificates.serverKey,
            clientCAFile: requiringClientCertificates ? certificates.ca : nil)
    }

    static func receivedIDs(_ sandbox: RunningSandbox) -> Set<String> {
        Set(sandbox.control.received().compactMap(\.channelMessageId))
    }

    /// Only the org whose `http.caFile` names the test CA reaches the sandbox; its neighbour, on the system's CAs,
    /// does not.
    @Test func anOrgsCAFileDeliversAQueuedMessageOverHTTPS() async throws {
        let certificates = try TestCertificates.shared()
        let trusting = TestOrg(tenant: "acme", name: "trusting", http: TenantYAML.HTTP(caFile: certificates.ca))
        let system = TestOrg(tenant: "acme", name: "system")
        try await PipelineHarness.run("https-org-ca", orgs: [trusting, system], sandboxTLS: try Self.sandboxTLS()) { pipeline, _ in
            #expect(pipeline.sandbox.baseURL.hasPrefix("https://127.0.0.1:"))
            try await pipeline.publish([
                GatewayHarness.textMessage(id: "https-trusting", org: trusting), GatewayHarness.textMessage(id: "https-system", org: system),
            ])
            let delivered = await pipeline.eventually { Self.receivedIDs(pipeline.sandbox).contains("https-trusting") }
            #expect(delivered)
            try await Task.sleep(for: Self.refusalWatch)
            #expect(Self.receivedIDs(pipeline.sandbox) == ["https-trusting"])
        }
    }

    /// Mutual TLS and a proxy per org: the org with a client certificate and its own egress proxy delivers through
    /// that proxy; the org without a certificate is refused by the sandbox.
    @Test func anOrgsClientCertificateAndProxyDeliverToASandboxRequiringCertificates() async throws {
        let certificates = try TestCertificates.shared()
        let proxy = try ConnectProxy()
        defer { proxy.stop() }
        let mutual = TestOrg(
            tenant: "acme", name: "mutual",
            http: TenantYAML.HTTP(
                caFile: certificates.ca, clientCertFile: certificates.clientCertificate, clientKeyFile: certificates.clientKey,
                proxy: proxy.url))
        let anonymous = TestOrg(tenant: "acme", name: "anonymous", http: TenantYAML.HTTP(caFile: certificates.ca))
        let tls = try Self.sandboxTLS(requiringClientCertificates: true)
        try await PipelineHarness.run("https-org-mtls", orgs: [mutual, anonymous], sandboxTLS: tls) { pipeline, _ in
            try await pipeline.publish([
                GatewayHarness.textMessage(id: "mtls-mutual", org: mutual), GatewayHarness.textMessage(id: "mtls-anonymous", org: anonymous),
            ])
            let delivered = await pipeline.eventually { Self.receivedIDs(pipeline.sandbox).contains("mtls-mutual") }
            #expect(delivered)
            let sandbox = "127.0.0.1:\(pipeline.sandbox.port)"
            #expect(!proxy.tunnels.isEmpty && proxy.tunnels.allSatisfy { $0 == sandbox }, "\(proxy.tunnels)")
            try await Task.sleep(for: Self.refusalWatch)
            #expect(Self.receivedIDs(pipeline.sandbox) == ["mtls-mutual"])
        }
    }

    /// `run --http-ca-file --http-client-cert --http-client-key --http-proxy`: the gateway's own settings carry every
    /// org's calls.
    @Test func theGatewaysOptionsDeliverAQueuedMessageThroughItsProxyWithItsCertificate() async throws {
        let certificates = try TestCertificates.shared()
        let proxy = try ConnectProxy()
        defer { proxy.stop() }
        let org = TestOrg(tenant: "acme", name: "main")
        try await Self.deliverThroughGatewayProcess(
            org: org, prefix: "https-options", tls: try Self.sandboxTLS(requiringClientCertificates: true),
            arguments: [
                "--http-ca-file", certificates.ca, "--http-client-cert", certificates.clientCertificate,
                "--http-client-key", certificates.clientKey, "--http-proxy", proxy.url,
            ],
            environment: [:])
        #expect(!proxy.tunnels.isEmpty)
    }

    /// Without `--http-proxy`, libcurl's own `https_proxy` still applies, as before these options; the CA file comes
    /// from `GGW_HTTP_CA_FILE`.
    @Test func withoutHTTPProxyTheEnvironmentsProxyIsUsed() async throws {
        let certificates = try TestCertificates.shared()
        let proxy = try ConnectProxy()
        defer { proxy.stop() }
        try await Self.deliverThroughGatewayProcess(
            org: TestOrg(tenant: "acme", name: "main"), prefix: "https-env", tls: try Self.sandboxTLS(), arguments: [],
            environment: ["GGW_HTTP_CA_FILE": certificates.ca, "https_proxy": proxy.url, "no_proxy": ""])
        #expect(!proxy.tunnels.isEmpty)
    }

    /// Publishes one message for `org` to `<prefix>.outbound`, runs `genesys-gateway run` with `arguments` and
    /// `environment` against a sandbox serving `tls`, and expects the message to arrive.
    static func deliverThroughGatewayProcess(
        org: TestOrg, prefix name: String, tls: SandboxTLS, arguments: [String], environment: [String: String]
    ) async throws {
        let url = try BrokerProbe.url
        let prefix = BrokerProbe.uniquePrefix(name)
        try await GatewayHarness.withSandbox(orgs: [org], sandboxTLS: tls, logger: .quiet(name)) { setup in
            let publisher = AMQPClient(settings: .init(url: url, topology: QueueTopology(prefix: prefix), prefetch: 0), logger: .quiet("publisher"))
            async let publisherRun: Void = publisher.run()
            try await publisher.publish(AMQPMessage(routingKey: "\(prefix).outbound", body: GatewayHarness.textMessage(id: "\(name)-1", org: org)))
            publisher.stop()
            await publisherRun
            var processSetup = setup
            processSetup.environment.merge(environment) { $1 }
            let gateway = try IsolationGatewayProcess(setup: processSetup, url: url, prefix: prefix, extraArguments: arguments + ["--shutdown-timeout", "2"])
            let arrived = await Isolation.eventually(timeout: .seconds(30)) { Self.receivedIDs(setup.sandbox).contains("\(name)-1") }
            await gateway.stop()
            #expect(arrived, "not delivered; the gateway's log:\n\(gateway.logTail(40))")
        }
    }
}
