import Foundation
import GatewayTestSupport
@testable import GatewayCore
@testable import AMQPTransport
import Logging
import Testing
@testable import Broker

/// `amqps://` against RabbitMQ's real TLS listener (``AMQPTLSFixture``): what is delivered with the right
/// certificates, and what is refused — naming the broker and the reason, with nothing consumed — with the wrong ones.
@Suite(.timeLimit(.minutes(2))) struct AMQPTLSIntegrationTests {
    let tls: AMQPTLSFixture

    init() throws {
        tls = try AMQPTLSFixture.fromEnvironment()
    }

    /// The production client on `url`, subscribed to a queue of its own: publishes `body` through it and returns what
    /// the subscription delivered (acked), or nil if nothing came within 10 s.
    func roundTrip(url: String, name: String, body: [UInt8], logger: Logger = .quiet("tls")) async throws -> [UInt8]? {
        let topology = BrokerProbe.uniqueTopology(name)
        let client = AMQPClient(settings: .init(url: url, topology: topology, prefetch: 0), logger: logger)
        let queue = topology.orgQueueDeclaration(for: OrgKey(tenantID: "acme", orgName: name))
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { client.stop() }
            let deadline = ContinuousClock.now + .seconds(10)
            while !client.isConnected, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            guard client.isConnected else { return nil }
            client.subscribe(AMQPSubscription(queue: queue, prefetch: 1))
            try await client.publish(AMQPMessage(routingKey: queue.name, body: body, mandatory: true))
            let reader = Task { () -> BrokerDelivery? in
                for await inbound in client.deliveries { return inbound }
                return nil
            }
            let timeout = Task {
                try await Task.sleep(for: .seconds(10))
                reader.cancel()
            }
            defer { timeout.cancel() }
            guard let inbound = await reader.value else { return nil }
            client.ack(inbound)
            try? tls.delete(queue.name)
            return inbound.delivery.body
        }
    }

    /// Connects with `url` expecting a refusal; returns the error's text.
    func refusal(_ url: String) throws -> String {
        do {
            _ = try AMQPConnection(url: url, heartbeatSeconds: 0, connectTimeout: .seconds(5), logger: .quiet("tls"))
        } catch {
            return error.description
        }
        Issue.record("connected with \(url)")
        return ""
    }

    /// Runs the production client with `url` on a queue holding one message for 1.5 s: it must not connect, and the
    /// message must still be there.
    func expectNothingConsumed(with url: String, name: String) async throws {
        let queue = try tls.queueWithMessages(name, count: 1)
        defer { try? tls.delete(queue) }
        let client = AMQPClient(settings: .init(url: url, topology: BrokerProbe.uniqueTopology(name), prefetch: 0), logger: .quiet("tls"))
        client.subscribe(AMQPSubscription(queue: AMQPQueueDeclaration(name: queue, arguments: []), prefetch: 10))
        let run = Task { await client.run() }
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(!client.isConnected)
        client.stop()
        await run.value
        #expect(try tls.readyCount(queue) == 1, "the message was consumed")
    }

    @Test func aMessagePublishedOverAMQPSWithTheRightCAIsDelivered() async throws {
        let url = tls.url(["cacertfile": tls.file("ca.pem")])
        #expect(try await roundTrip(url: url, name: "tls-good-ca", body: [7, 1]) == [7, 1])
    }

    @Test func theWrongCAIsRefusedNamingTheBrokerAndNothingIsConsumed() async throws {
        let url = tls.url(["cacertfile": tls.file("other-ca.pem")])
        let error = try refusal(url)
        #expect(error.contains("TLS connection to \(tls.address())"), "\(error)")
        #expect(error.contains("the broker's certificate was not accepted: self-signed certificate in certificate chain"), "\(error)")
        #expect(!error.contains("guest:guest"))
        try await expectNothingConsumed(with: url, name: "tls-wrong-ca")
    }

    /// Without cacertfile the system's CAs decide, and none of them signed the test CA.
    @Test func withoutACAFileTheSystemCAsDoNotTrustAPrivateCA() throws {
        let error = try refusal(tls.url())
        #expect(error.contains("TLS connection to \(tls.address())") && error.contains("not accepted"), "\(error)")
    }

    /// 127.0.0.2 is the same listener, whose certificate names only 127.0.0.1 and localhost.
    @Test func aCertificateForAnotherHostIsRefusedNamingTheBrokerAndNothingIsConsumed() async throws {
        let url = tls.url(host: "127.0.0.2", ["cacertfile": tls.file("ca.pem")])
        let error = try refusal(url)
        #expect(error.contains("TLS connection to \(tls.address("127.0.0.2"))"), "\(error)")
        #expect(error.contains("is not for '127.0.0.2': IP address mismatch"), "\(error)")
        try await expectNothingConsumed(with: url, name: "tls-wrong-host")
    }

    /// server_name_indication is the name looked for in the certificate (and sent as SNI) instead of the URL's host.
    @Test func theServerNameIndicationIsTheNameTheCertificateMustHold() throws {
        let other = try refusal(tls.url(["cacertfile": tls.file("ca.pem"), "server_name_indication": "other.invalid"]))
        #expect(other.contains("is not for 'other.invalid': hostname mismatch"), "\(other)")
        let named = tls.url(host: "127.0.0.2", ["cacertfile": tls.file("ca.pem"), "server_name_indication": "localhost"])
        _ = try AMQPConnection(url: named, heartbeatSeconds: 0, connectTimeout: .seconds(5))
    }

    /// The URL's user and password are wrong on purpose: only EXTERNAL, with the user the certificate names
    /// (ggw-tls-client, which has no password at all), can log in.
    @Test func mutualTLSWithExternalLogsInAsTheCertificatesUserAndDelivers() async throws {
        let parameters: KeyValuePairs = [
            "cacertfile": tls.file("ca.pem"), "certfile": tls.file("client.pem"), "keyfile": tls.file("client-key.pem"),
            "auth_mechanism": "external",
        ]
        let url = tls.url(userInfo: "nobody:wrong", parameters)
        #expect(try await roundTrip(url: url, name: "tls-external", body: [9]) == [9])

        let plain = try refusal(tls.url(userInfo: "nobody:wrong", ["cacertfile": tls.file("ca.pem"), "certfile": tls.file("client.pem"), "keyfile": tls.file("client-key.pem")]))
        #expect(plain.contains("login to \(tls.address())") && plain.contains("ACCESS_REFUSED"), "\(plain)")
    }

    @Test func externalWithoutAClientCertificateTheBrokerTrustsIsRefused() throws {
        let untrusted = try refusal(tls.url([
            "cacertfile": tls.file("ca.pem"), "certfile": tls.file("other-client.pem"), "keyfile": tls.file("other-client-key.pem"),
            "auth_mechanism": "external",
        ]))
        #expect(untrusted.contains("login to \(tls.address())"), "\(untrusted)")
        #expect(untrusted.contains("unknown CA") || untrusted.contains("refuses a client certificate"), "\(untrusted)")
    }

    @Test func aMissingCertificateFileIsNamed() throws {
        let error = try refusal(tls.url(["cacertfile": tls.file("no-such-ca.pem")]))
        #expect(error.contains("TLS set-up for \(tls.address())") && error.contains("cannot read cacertfile") && error.contains("no such file"), "\(error)")
    }

    /// verify_none: the wrong CA and the wrong host are both let through, and the gateway says so.
    @Test func verifyNoneConnectsToAnyCertificateWithAWarning() async throws {
        let url = tls.url(host: "127.0.0.2", ["cacertfile": tls.file("other-ca.pem"), "verify": "verify_none"])
        let (logger, records) = RecordingLogHandler.logger("tls-verify-none")
        #expect(try await roundTrip(url: url, name: "tls-verify-none", body: [3], logger: logger) == [3])
        let warning = records.all.first { $0.level == .warning && $0.message.contains("verify=verify_none") }
        #expect(warning?.metadata["amqp.address"] == tls.address("127.0.0.2"))
    }

    /// A TLS client on the plain port: a clear error rather than a hang.
    @Test func amqpsToAPlainListenerFailsClearly() throws {
        let plainPort = try #require(URL(string: tls.plainURL)?.port)
        let error = try refusal("amqps://guest:guest@127.0.0.1:\(plainPort)/%2F?cacertfile=\(tls.file("ca.pem"))")
        #expect(error.contains("TLS connection to 127.0.0.1:\(plainPort)") && error.contains("wrong version number"), "\(error)")
    }
}
