import Broker
import CGatewayShims
import CRabbitMQ
import Foundation

/// rabbitmq-c's OpenSSL socket for one ``AMQPConnection`` to an `amqps://` URL, set up from its ``AMQPTLSSettings``,
/// and the errors that say which broker refused what.
///
/// The socket itself belongs to the connection state (rabbitmq-c frees it in `amqp_destroy_connection`). This type
/// owns the handshake report OpenSSL's callbacks write into (`cgs_amqp_tls_report`); the connection holds it, so it
/// is freed only after the state is destroyed, when no callback can run any more.
final class AMQPTLSSocket {
    let socket: OpaquePointer
    private let report: UnsafeMutablePointer<cgs_amqp_tls_report>
    private let settings: AMQPTLSSettings
    /// "host:port", as errors name the broker.
    private let address: String
    /// The name the broker's certificate must hold: `server_name_indication`, else the URL's host.
    private let expectedHost: String

    /// Makes the socket on `state` and loads the files the settings name.
    init(state: amqp_connection_state_t, settings: AMQPTLSSettings, host: String, address: String) throws(AMQPError) {
        self.settings = settings
        self.address = address
        expectedHost = settings.serverName ?? host
        guard let socket = amqp_ssl_socket_new(state) else {
            throw AMQPError("TLS set-up for \(address)", "cannot create a TLS socket: \(Self.takeOpenSSLErrors() ?? "no reason given")")
        }
        self.socket = socket
        report = .allocate(capacity: 1)
        report.initialize(to: cgs_amqp_tls_report())
        if let serverName = settings.serverName {
            withUnsafeMutableBytes(of: &report.pointee.server_name) { buffer in
                // AMQPURL keeps a server name to 253 bytes; the buffer has 256, and the rest stays zero (the terminator).
                buffer.copyBytes(from: serverName.utf8.prefix(buffer.count - 1))
            }
        }
        try configure()
    }

    deinit {
        report.deinitialize(count: 1)
        report.deallocate()
    }

    private func configure() throws(AMQPError) {
        let operation = "TLS set-up for \(address)"
        if let file = settings.caCertificateFile {
            try Self.checkReadable(file, "cacertfile", operation)
            guard amqp_ssl_socket_set_cacert(socket, file) == AMQP_STATUS_OK.rawValue else {
                throw AMQPError(operation, "cacertfile \(file) holds no usable CA certificate: \(Self.takeOpenSSLErrors() ?? "no reason given")")
            }
        } else if settings.verification == .verifyPeer, cgs_amqp_tls_use_default_trust_store(socket) != 0 {
            throw AMQPError(operation, "cannot load the system's CA certificates: \(Self.takeOpenSSLErrors() ?? "no reason given")")
        }
        if let client = settings.clientCertificate {
            try Self.checkReadable(client.certificateFile, "certfile", operation)
            try Self.checkReadable(client.keyFile, "keyfile", operation)
            // An empty key password: an encrypted key then fails to load, where OpenSSL's default would ask for the
            // password on the terminal and block the connection thread.
            amqp_ssl_socket_set_key_passwd(socket, "")
            guard amqp_ssl_socket_set_key(socket, client.certificateFile, client.keyFile) == AMQP_STATUS_OK.rawValue else {
                throw AMQPError(
                    operation,
                    "cannot use certfile \(client.certificateFile) with keyfile \(client.keyFile): \(Self.takeOpenSSLErrors() ?? "no reason given")")
            }
        }
        // rabbitmq-c's own host-name check knows DNS names only (an IP SAN never matches): OpenSSL checks the host
        // during the handshake instead (cgs_amqp_tls_verify_in_handshake).
        amqp_ssl_socket_set_verify_hostname(socket, 0)
        switch settings.verification {
        case .verifyPeer:
            amqp_ssl_socket_set_verify_peer(socket, 1)
            guard cgs_amqp_tls_verify_in_handshake(socket, expectedHost) == 0 else {
                throw AMQPError(operation, "cannot check the broker's certificate for '\(expectedHost)'")
            }
        case .verifyNone:
            amqp_ssl_socket_set_verify_peer(socket, 0)
        }
    }

    /// Connects and does the TLS handshake; on failure, says why in the words of OpenSSL's verdict. The report stays
    /// attached from here on (the login's failure reads it), until the connection state is destroyed.
    func open(host: String, port: Int32, timeout: inout timeval) throws(AMQPError) {
        cgs_amqp_tls_attach_report(socket, report)
        let status = amqp_socket_open_noblock(socket, host, port, &timeout)
        guard status == AMQP_STATUS_OK.rawValue else { throw openFailure(status) }
    }

    private func openFailure(_ status: Int32) -> AMQPError {
        let operation = "TLS connection to \(address)"
        let openSSL = Self.takeOpenSSLErrors()
        let verifyError = report.pointee.verify_error
        guard verifyError == 0 else {
            let verdict = String(cString: cgs_tls_verify_error_string(verifyError))
            let subject = Self.string(report.pointee.subject)
            if cgs_tls_verify_error_is_name_mismatch(verifyError) != 0 {
                return AMQPError(operation, "the broker's certificate (\(subject)) is not for '\(expectedHost)': \(verdict)")
            }
            return AMQPError(
                operation,
                "the broker's certificate was not accepted: \(verdict) (certificate \(report.pointee.verify_depth) in its chain: \(subject));"
                    + " is cacertfile the CA that signed it?")
        }
        if let alert = peerAlert {
            return AMQPError(operation, "the broker ended the handshake: TLS alert '\(alert)'")
        }
        let library = String(cString: amqp_error_string2(status))
        return AMQPError(operation, openSSL.map { "\(library): \($0)" } ?? library)
    }

    /// What TLS says about a login that failed (nil: nothing): with TLS 1.3 a broker refuses a client certificate only
    /// after the client's side of the handshake is done, so the refusal surfaces as the login failing.
    func loginFailureDetail() -> String? {
        let openSSL = Self.takeOpenSSLErrors()
        if let alert = peerAlert {
            return "the broker sent TLS alert '\(alert)'" + (settings.clientCertificate == nil ? "" : " (about the client certificate?)")
        }
        if let openSSL { return openSSL }
        guard let client = settings.clientCertificate else { return nil }
        // The broker closes at once after refusing, and its alert may be lost with the reset: say what it likely is.
        return "the broker closed the TLS connection right after the handshake, which is how it refuses a client certificate"
            + " it does not trust (certfile \(client.certificateFile)); the broker's log says why"
    }

    /// The first alert the broker sent, if it was not the polite close_notify.
    private var peerAlert: String? {
        let alert = Self.string(report.pointee.peer_alert)
        return alert.isEmpty || alert == "close notify" ? nil : alert
    }

    private static func checkReadable(_ file: String, _ parameter: String, _ operation: String) throws(AMQPError) {
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw AMQPError(operation, "cannot read \(parameter) \(file): \(FileManager.default.fileExists(atPath: file) ? "no permission" : "no such file")")
        }
    }

    /// The calling thread's queued OpenSSL errors, or nil when there are none.
    private static func takeOpenSSLErrors() -> String? {
        var buffer = [CChar](repeating: 0, count: 512)
        cgs_tls_take_errors(&buffer, buffer.count)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? nil : text
    }

    /// A NUL-terminated C string in a fixed-size char array (imported as a tuple).
    private static func string<Tuple>(_ tuple: Tuple) -> String {
        withUnsafeBytes(of: tuple) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
