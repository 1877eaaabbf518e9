/// How an `amqps://` connection sets up TLS, from the URL's query (``AMQPURL``). By default the broker's certificate
/// chain is checked against the system's CAs and must name the URL's host.
package struct AMQPTLSSettings: Sendable, Equatable {
    /// The URL's `verify`.
    package enum Verification: String, Sendable {
        /// The broker's certificate chain and host name are checked; a failure ends the connection before the login.
        case verifyPeer = "verify_peer"
        /// Nothing about the broker's certificate is checked: the connection is encrypted, but to whoever answers.
        case verifyNone = "verify_none"
    }

    /// A client certificate and its key (mutual TLS): the URL's `certfile` and `keyfile`, PEM files.
    package struct ClientCertificate: Sendable, Equatable {
        package var certificateFile: String
        package var keyFile: String
    }

    /// The longest `server_name_indication`: a DNS name has at most 253 characters.
    static let maxServerNameLength = 253

    /// PEM file of the CAs that may sign the broker's certificate (`cacertfile`); nil: the system's CAs.
    package var caCertificateFile: String?
    package var clientCertificate: ClientCertificate?
    package var verification: Verification = .verifyPeer
    /// The host name sent as SNI and looked for in the broker's certificate, instead of the URL's host
    /// (`server_name_indication`): for a broker reached by an address its certificate does not name.
    package var serverName: String?

    package init() {}
}
