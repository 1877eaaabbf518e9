import COpenSSL
import Foundation
import Glibc

/// The one owner of an OpenSSL `SSL *`: a TLS session over a connected ``RedisSocket``, which it keeps alive but
/// never closes (the socket's owner does).
///
/// Blocking like the socket: the handshake, reads and writes wait at most the socket's timeouts. Not thread-safe
/// (OpenSSL's error queue is per thread too): one thread uses it, ``RedisConnection``'s.
final class RedisTLSSession {
    /// `SSL *`, freed in `deinit`.
    private let handle: OpaquePointer
    private let socket: RedisSocket

    /// Sends SNI for a host name, sets up host name verification when `settings` asks for it, and shakes hands.
    /// - Throws: a failure saying why the server was not trusted (its certificate's verification result) or what
    ///   OpenSSL reported.
    init(context: RedisTLSContext, socket: RedisSocket, host: String, settings: RedisTLS) throws(RedisTransportFailure) {
        ERR_clear_error()
        guard let handle = SSL_new(context.handle) else {
            throw RedisTransportFailure("TLS: cannot create a session: \(RedisTLSContext.openSSLErrors())")
        }
        self.handle = handle
        self.socket = socket
        guard SSL_set_fd(handle, socket.descriptor) == 1 else {
            throw RedisTransportFailure("TLS: cannot attach the socket: \(RedisTLSContext.openSSLErrors())")
        }
        // SNI even when nothing is verified: a server (or a proxy in front of it) may choose its certificate by it.
        guard cossl_set_server_name(handle, host) == 1 else {
            throw RedisTransportFailure("TLS: cannot send the server name \(host): \(RedisTLSContext.openSSLErrors())")
        }
        if settings.checksHostname, cossl_verify_host(handle, host) != 1 {
            throw RedisTransportFailure("TLS: cannot set up host name verification for \(host): \(RedisTLSContext.openSSLErrors())")
        }
        while true {
            ERR_clear_error()
            let result = SSL_connect(handle)
            if result == 1 { return }
            let code = SSL_get_error(handle, result)
            if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_SYSCALL), errno == EINTR { continue }
            throw handshakeFailure(code, host: host, settings: settings)
        }
    }

    deinit {
        SSL_free(handle)
    }

    /// Sends TLS' close_notify without waiting for the server's (the socket is closed right after).
    func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(handle)
        ERR_clear_error()
    }

    /// Writes all of `bytes`.
    func send(_ bytes: UnsafeRawBufferPointer) throws(RedisTransportFailure) {
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            ERR_clear_error()
            // SSL_write takes an Int32 count: at most 1 GiB a call, the loop sends the rest.
            let chunk = Int32(min(bytes.count - offset, 1 << 30))
            let written = SSL_write(handle, base + offset, chunk)
            if written > 0 {
                offset += Int(written)
                continue
            }
            let code = SSL_get_error(handle, written)
            if (code == SSL_ERROR_WANT_WRITE || code == SSL_ERROR_SYSCALL), errno == EINTR { continue }
            let failure = ioFailure(code, operation: "TLS write")
            throw alertBefore(failure) ?? failure
        }
    }

    /// Reads what has arrived (at least one byte of application data, waiting up to the socket timeout); 0 when the
    /// server ended the stream.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(RedisTransportFailure) -> Int {
        while true {
            ERR_clear_error()
            let count = SSL_read(handle, buffer.baseAddress, Int32(min(buffer.count, 1 << 30)))
            if count > 0 { return Int(count) }
            let code = SSL_get_error(handle, count)
            switch code {
            case SSL_ERROR_ZERO_RETURN:
                return 0
            case SSL_ERROR_WANT_READ where errno == EINTR, SSL_ERROR_SYSCALL where errno == EINTR:
                continue
            default:
                throw ioFailure(code, operation: "TLS read")
            }
        }
    }

    /// With no reply outstanding, whether the session is dead: the socket was found readable, and what is there may
    /// be only TLS records (a TLS 1.3 server sends session tickets after the handshake). Reads without waiting:
    /// records that carry no data leave it alive; data, the end of the stream or an error mean it is dead.
    func isDeadWhileIdle() -> Bool {
        guard socket.setNonBlocking(true) else { return true }
        defer { _ = socket.setNonBlocking(false) }
        var byte: UInt8 = 0
        while true {
            ERR_clear_error()
            let count = SSL_read(handle, &byte, 1)
            if count > 0 { return true }
            let code = SSL_get_error(handle, count)
            if code == SSL_ERROR_WANT_READ { return false }
            if code == SSL_ERROR_SYSCALL, errno == EINTR { continue }
            ERR_clear_error()
            return true
        }
    }

    /// The server's reason, when a write failed because it closed the connection: under TLS 1.3 a server refuses a
    /// client certificate (missing, or from a CA it does not trust) only after the client's handshake is done, with an
    /// alert and a close, and the client's next write meets the reset. The alert is still in the socket's receive
    /// queue; one read brings it out ("tlsv13 alert certificate required", "tlsv1 alert unknown ca").
    private func alertBefore(_ failure: RedisTransportFailure) -> RedisTransportFailure? {
        guard failure.kind == .failed else { return nil }
        var byte: UInt8 = 0
        ERR_clear_error()
        let count = SSL_read(handle, &byte, 1)
        guard count <= 0, SSL_get_error(handle, count) == SSL_ERROR_SSL else {
            ERR_clear_error()
            return nil
        }
        return ioFailure(SSL_ERROR_SSL, operation: "TLS")
    }

    /// Why the handshake failed. A certificate OpenSSL did not accept is named with its verification result
    /// (`unable to get local issuer certificate`, `hostname mismatch`), which says what to fix.
    private func handshakeFailure(_ code: Int32, host: String, settings: RedisTLS) -> RedisTransportFailure {
        let verification = SSL_get_verify_result(handle)
        if settings.verifiesPeer, verification != X509_V_OK {
            let reason = X509_verify_cert_error_string(verification).map { String(cString: $0) } ?? "error \(verification)"
            ERR_clear_error()
            let trust = settings.caCertificatesFile.map { "the CAs in \($0)" } ?? "the system's CAs"
            if verification == X509_V_ERR_HOSTNAME_MISMATCH || verification == X509_V_ERR_IP_ADDRESS_MISMATCH {
                return RedisTransportFailure("TLS: the server's certificate is not valid for \(host): \(reason)")
            }
            return RedisTransportFailure("TLS: the server's certificate is not trusted (checked against \(trust)): \(reason)")
        }
        return ioFailure(code, operation: "TLS handshake")
    }

    /// A failed read, write or handshake, in words: a timeout, the server closing, or OpenSSL's reasons (a TLS
    /// alert from the server, such as the one for a missing client certificate, lands here).
    private func ioFailure(_ code: Int32, operation: String) -> RedisTransportFailure {
        let savedErrno = errno
        switch code {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            ERR_clear_error()
            // A blocking socket only asks to retry when its timeout ran out.
            return RedisTransportFailure(.timedOut, "\(operation): \(String(cString: strerror(savedErrno == 0 ? EAGAIN : savedErrno)))")
        case SSL_ERROR_SYSCALL:
            let detail = RedisTLSContext.openSSLErrors()
            if savedErrno == EAGAIN || savedErrno == EWOULDBLOCK {
                return RedisTransportFailure(.timedOut, "\(operation): \(String(cString: strerror(savedErrno)))")
            }
            if savedErrno == 0 { return RedisTransportFailure("\(operation): the server closed the connection") }
            return RedisTransportFailure("\(operation): \(String(cString: strerror(savedErrno))) (\(detail))")
        default:
            let detail = RedisTLSContext.openSSLErrors()
            if detail.contains("certificate required") {
                return RedisTransportFailure(
                    "\(operation): the server requires a client certificate (ssl_certfile, ssl_keyfile): \(detail)")
            }
            if detail.contains("alert unknown ca") || detail.contains("alert bad certificate") {
                return RedisTransportFailure("\(operation): the server refused the client certificate (ssl_certfile): \(detail)")
            }
            return RedisTransportFailure("\(operation): \(detail)")
        }
    }
}
