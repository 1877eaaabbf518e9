/// How a `rediss://` connection does TLS: whom it trusts, what it proves about itself, what it checks.
///
/// The names follow redis-py's URL query parameters (`ssl_ca_certs`, `ssl_certfile`, `ssl_keyfile`,
/// `ssl_cert_reqs`, `ssl_check_hostname`), so a URL an operator already uses with redis-py works here unchanged.
/// The files are read at every connect, so a renewed client certificate is picked up at the next reconnect.
public struct RedisTLS: Sendable, Equatable {
    /// Whether and how strictly the server's certificate is checked (`ssl_cert_reqs`).
    public enum CertificateRequirement: String, Sendable, CaseIterable {
        /// The server's chain must lead to a trusted CA (the default).
        case required
        /// Same as `required`: a TLS server always presents a certificate, so on the client side there is nothing
        /// optional to allow (as in Python's `ssl.CERT_OPTIONAL`, which redis-py passes on).
        case optional
        /// No check at all: anyone on the path can pose as the server. For tests against self-made certificates only.
        case none
    }

    /// PEM file of the CAs that may sign the server's certificate (`ssl_ca_certs`); nil trusts the system's store
    /// (`/etc/ssl/certs`, OpenSSL's default paths).
    public var caCertificatesFile: String?
    /// PEM file of this client's certificate chain for mutual TLS (`ssl_certfile`); nil sends none.
    public var certificateFile: String?
    /// PEM file of the private key of ``certificateFile`` (`ssl_keyfile`); nil when the certificate file holds the
    /// key too.
    public var keyFile: String?
    /// How the server's certificate is checked (`ssl_cert_reqs`, `required` unless told otherwise).
    public var certificateRequirement: CertificateRequirement
    /// Whether the server's certificate must name the URL's host (`ssl_check_hostname`): a DNS name against its
    /// DNS SANs, an IP address against its IP SANs. On unless the certificate is not checked at all.
    public var checksHostname: Bool

    /// - Parameters: see the properties; the defaults verify the server's chain against the system's CAs and its
    ///   host name, and send no client certificate.
    public init(
        caCertificatesFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
        certificateRequirement: CertificateRequirement = .required, checksHostname: Bool? = nil
    ) {
        self.caCertificatesFile = caCertificatesFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.certificateRequirement = certificateRequirement
        self.checksHostname = checksHostname ?? (certificateRequirement != .none)
    }

    /// Whether the server's chain is verified at all.
    public var verifiesPeer: Bool { certificateRequirement != .none }
}
