import Testing
@testable import AMQPTransport

/// The query parameters of RabbitMQ's URI spec that the gateway reads itself, before rabbitmq-c (which refuses any
/// query) parses the rest.
@Suite struct AMQPURLTests {
    func parse(_ url: String) throws(AMQPURLError) -> AMQPURL {
        try AMQPURL(parsing: url)
    }

    /// The fault `url` is refused for (nil: it was accepted).
    func fault(_ url: String) -> AMQPURLError? {
        do {
            _ = try parse(url)
            return nil
        } catch {
            return error
        }
    }

    @Test func aPlainURLHasNoTLSAndLogsInWithItsPassword() throws {
        let url = try parse("amqp://guest:guest@127.0.0.1:5673/%2F")
        #expect(url.withoutQuery == "amqp://guest:guest@127.0.0.1:5673/%2F")
        #expect(url.tls == nil)
        #expect(url.authMechanism == .plain)
    }

    /// Without a query: the system's CAs, and the broker's certificate and host name checked.
    @Test func anAMQPSURLVerifiesThePeerAndItsHostNameByDefault() throws {
        let url = try parse("amqps://user:secret@broker.example/%2F")
        let tls = try #require(url.tls)
        #expect(tls == AMQPTLSSettings())
        #expect(tls.verification == .verifyPeer)
        #expect(tls.caCertificateFile == nil && tls.clientCertificate == nil && tls.serverName == nil)
    }

    @Test func everyParameterIsReadAndTheQueryIsStrippedForRabbitMQC() throws {
        let url = try parse(
            "amqps://user:secret@10.0.0.5:5671/%2F?cacertfile=/etc/ggw/ca.pem&certfile=/etc/ggw/client.pem"
                + "&keyfile=/etc/ggw/client-key.pem&verify=verify_peer&server_name_indication=broker.example&auth_mechanism=external")
        #expect(url.withoutQuery == "amqps://user:secret@10.0.0.5:5671/%2F")
        #expect(url.authMechanism == .external)
        let tls = try #require(url.tls)
        #expect(tls.caCertificateFile == "/etc/ggw/ca.pem")
        #expect(tls.clientCertificate == .init(certificateFile: "/etc/ggw/client.pem", keyFile: "/etc/ggw/client-key.pem"))
        #expect(tls.verification == .verifyPeer)
        #expect(tls.serverName == "broker.example")
    }

    @Test func valuesArePercentDecoded() throws {
        let tls = try #require(try parse("amqps://h/?cacertfile=/etc/my%20certs/ca%2Bold.pem").tls)
        #expect(tls.caCertificateFile == "/etc/my certs/ca+old.pem")
    }

    @Test func verifyNoneIsAnExplicitOptOut() throws {
        #expect(try parse("amqps://h/?verify=verify_none").tls?.verification == .verifyNone)
        #expect(fault("amqps://h/?verify=none") == AMQPURLError(.invalidValue, parameter: "verify", ""))
        #expect(fault("amqps://h/?verify=false") == AMQPURLError(.invalidValue, parameter: "verify", ""))
    }

    /// A misspelt parameter must not leave a connection quietly unchecked, and its value is not repeated (Erlang's
    /// `password` parameter holds a key's password).
    @Test func anUnknownParameterIsRefusedByNameWithoutItsValue() throws {
        let error = try #require(fault("amqps://h/?verfiy=verify_none"))
        #expect(error == AMQPURLError(.unknownParameter, parameter: "verfiy", ""))
        #expect(error.description.contains("'verfiy'"))
        #expect(error.description.contains("cacertfile, certfile, keyfile, verify, server_name_indication, auth_mechanism"))
        let secret = try #require(fault("amqps://h/?password=hunter2"))
        #expect(secret.code == .unknownParameter)
        #expect(!secret.description.contains("hunter2"))
        #expect(fault("amqps://h/?heartbeat=10")?.code == .unknownParameter, "the gateway sets heartbeats itself")
    }

    @Test func theURLAndItsPasswordAreNeverInAnError() throws {
        let error = try #require(fault("amqps://admin:s3cr3t@broker.example/%2F?nope=1"))
        #expect(!error.description.contains("s3cr3t"))
        #expect(!error.description.contains("admin"))
    }

    @Test func aParameterGivenTwiceOrWithoutAValueIsRefused() {
        #expect(fault("amqps://h/?cacertfile=/a.pem&cacertfile=/b.pem") == AMQPURLError(.repeatedParameter, parameter: "cacertfile", ""))
        #expect(fault("amqps://h/?cacertfile") == AMQPURLError(.missingValue, parameter: "cacertfile", ""))
        #expect(fault("amqps://h/?cacertfile=") == AMQPURLError(.missingValue, parameter: "cacertfile", ""))
        #expect(fault("amqps://h/?cacertfile=%zz") == AMQPURLError(.invalidEncoding, parameter: "cacertfile", ""))
    }

    @Test func emptyQueryPartsAreIgnored() throws {
        #expect(try parse("amqps://h/?").tls == AMQPTLSSettings())
        #expect(try parse("amqps://h/?&verify=verify_none&").tls?.verification == .verifyNone)
    }

    /// TLS parameters on a plain URL would suggest encryption that does not happen.
    @Test func tlsParametersNeedAnAMQPSURL() {
        for parameter in ["cacertfile=/ca.pem", "certfile=/c.pem&keyfile=/k.pem", "verify=verify_peer", "server_name_indication=h"] {
            #expect(fault("amqp://h/?\(parameter)")?.code == .needsTLS, "\(parameter)")
        }
        #expect(fault("amqp://h/?auth_mechanism=external") == AMQPURLError(.needsTLS, parameter: "auth_mechanism", ""))
    }

    @Test func aClientCertificateNeedsItsKeyAndTheOtherWayRound() {
        #expect(fault("amqps://h/?certfile=/c.pem") == AMQPURLError(.incomplete, parameter: "certfile", ""))
        #expect(fault("amqps://h/?keyfile=/k.pem") == AMQPURLError(.incomplete, parameter: "keyfile", ""))
    }

    @Test func externalNeedsAClientCertificate() throws {
        #expect(fault("amqps://h/?auth_mechanism=external") == AMQPURLError(.incomplete, parameter: "auth_mechanism", ""))
        #expect(try parse("amqps://h/?auth_mechanism=EXTERNAL&certfile=/c.pem&keyfile=/k.pem").authMechanism == .external)
        #expect(try parse("amqps://h/?auth_mechanism=plain").authMechanism == .plain)
        #expect(fault("amqps://h/?auth_mechanism=amqplain") == AMQPURLError(.invalidValue, parameter: "auth_mechanism", ""))
    }

    @Test func aServerNameMustBeAHostName() {
        #expect(fault("amqps://h/?server_name_indication=disable") == AMQPURLError(.invalidValue, parameter: "server_name_indication", ""))
        #expect(fault("amqps://h/?server_name_indication=a%20b")?.code == .invalidValue)
        #expect(fault("amqps://h/?server_name_indication=a/b")?.code == .invalidValue)
        let tooLong = String(repeating: "a", count: AMQPTLSSettings.maxServerNameLength + 1)
        #expect(fault("amqps://h/?server_name_indication=\(tooLong)")?.code == .invalidValue)
        #expect(fault("amqps://h/?server_name_indication=rabbit-1.internal.example") == nil)
    }
}
