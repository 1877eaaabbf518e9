import NIOCore
import NIOSSL
import Synchronization

/// The certificate the gateway's TLS listeners serve now, replaceable while they run: a reload swaps the
/// ``ServingCertificate`` here, and every handshake from then on presents the new one; connections already open
/// keep the one they were made with, and the listening sockets are never closed.
///
/// How the swap reaches a handshake: swift-nio-ssl's `TLSConfiguration.sslContextCallback`, which it calls once per
/// handshake after the ClientHello, and whose answer may replace the certificate chain and private key of that one
/// connection. The alternative, a new `NIOSSLContext` swapped behind a lock, needs the listener to take a context
/// per connection, which HummingbirdTLS's `TLSChannel` does not (it makes one context when the server is built), so
/// it would mean a copy of that channel kept in step with Hummingbird. With the callback, HummingbirdTLS serves as it
/// is, the TLS settings (versions, ciphers, ALPN) are made once, and only the certificate and key move. Cost per
/// handshake: a lock read, a completed promise, one event-loop turn and two reference-counted `SSL_use_*` calls —
/// microseconds beside the handshake's own signature.
public final class ServingCertificateStore: Sendable {
    private let current: Mutex<ServingCertificate>
    /// The certificate the TLS configuration was made with (the callback replaces it at every handshake).
    private let initial: ServingCertificate

    public init(_ certificate: ServingCertificate) {
        current = Mutex(certificate)
        initial = certificate
    }

    /// The certificate new connections get.
    public var certificate: ServingCertificate {
        current.withLock { $0 }
    }

    /// From now on, new connections get `certificate`.
    public func replace(with certificate: ServingCertificate) {
        current.withLock { $0 = certificate }
    }

    /// The listeners' TLS settings: TLS 1.2 and 1.3, HTTP/1.1 by ALPN, no client certificate, and the current
    /// certificate at every handshake.
    var tlsConfiguration: TLSConfiguration {
        var configuration = Self.serverConfiguration(chain: initial.chain, key: initial.key)
        configuration.sslContextCallback = { _, promise in
            promise.succeed(self.certificate.override)
        }
        return configuration
    }

    /// The server configuration every listener and every check uses.
    static func serverConfiguration(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        // TLS 1.0 and 1.1 are deprecated (RFC 8996); Genesys Cloud calls webhooks with TLS 1.2 or newer.
        configuration.minimumTLSVersion = .tlsv12
        // HTTP/1.1 only: a webhook is one POST at a time per connection, and HTTP/2 would link swift-nio-http2 into
        // the gateway for nothing it needs (docs/security.md).
        configuration.applicationProtocols = ["http/1.1"]
        return configuration
    }
}
