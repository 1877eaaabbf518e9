import COpenSSL
import Foundation

/// The one owner of an OpenSSL `SSL_CTX`: the trust (CA file or the system's store), the client certificate and
/// key for mutual TLS, and the verification mode of one ``RedisTLS``.
///
/// Made for each connect, so certificate files renewed on disk are read at the next reconnect (a handful of file
/// reads per connect, which happens once per connection, not per command).
final class RedisTLSContext {
    /// `SSL_CTX *`, freed in `deinit`; ``RedisTLSSession`` borrows it only while it creates its `SSL *` (which takes
    /// its own reference).
    let handle: OpaquePointer

    init(_ settings: RedisTLS) throws(RedisTransportFailure) {
        ERR_clear_error()
        guard let handle = SSL_CTX_new(TLS_client_method()) else {
            throw RedisTransportFailure("TLS: cannot create a context: \(Self.openSSLErrors())")
        }
        self.handle = handle
        guard cossl_ctx_require_tls12(handle) == 1 else {
            throw RedisTransportFailure("TLS: cannot require TLS 1.2: \(Self.openSSLErrors())")
        }
        if settings.verifiesPeer {
            if let file = settings.caCertificatesFile {
                try Self.requireReadable(file, parameter: "ssl_ca_certs")
                guard SSL_CTX_load_verify_locations(handle, file, nil) == 1 else {
                    throw RedisTransportFailure("TLS: ssl_ca_certs \(file) holds no usable CA certificate: \(Self.openSSLErrors())")
                }
            } else if SSL_CTX_set_default_verify_paths(handle) != 1 {
                throw RedisTransportFailure("TLS: cannot load the system's CA certificates: \(Self.openSSLErrors())")
            }
            SSL_CTX_set_verify(handle, SSL_VERIFY_PEER, nil)
        } else {
            SSL_CTX_set_verify(handle, SSL_VERIFY_NONE, nil)
        }
        if let certificate = settings.certificateFile {
            let key = settings.keyFile ?? certificate
            try Self.requireReadable(certificate, parameter: "ssl_certfile")
            try Self.requireReadable(key, parameter: settings.keyFile == nil ? "ssl_certfile (its key)" : "ssl_keyfile")
            guard SSL_CTX_use_certificate_chain_file(handle, certificate) == 1 else {
                throw RedisTransportFailure("TLS: ssl_certfile \(certificate) holds no usable certificate: \(Self.openSSLErrors())")
            }
            guard SSL_CTX_use_PrivateKey_file(handle, key, SSL_FILETYPE_PEM) == 1 else {
                // OpenSSL compares the key with the certificate as it loads it.
                let reasons = Self.openSSLErrors()
                if reasons.contains("key values mismatch") {
                    throw RedisTransportFailure("TLS: the key \(key) does not belong to the certificate \(certificate)")
                }
                throw RedisTransportFailure("TLS: \(key) holds no usable private key: \(reasons)")
            }
            guard SSL_CTX_check_private_key(handle) == 1 else {
                throw RedisTransportFailure("TLS: the key \(key) does not belong to the certificate \(certificate)")
            }
        }
    }

    deinit {
        SSL_CTX_free(handle)
    }

    /// A clear error for a missing or unreadable file, before OpenSSL reports it as a decoding error.
    private static func requireReadable(_ path: String, parameter: String) throws(RedisTransportFailure) {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw RedisTransportFailure("TLS: \(parameter) \(path) does not exist or is not readable")
        }
    }

    /// Empties this thread's OpenSSL error queue into one line (reasons only, oldest first).
    static func openSSLErrors() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            if let reason = ERR_reason_error_string(code) {
                reasons.append(String(cString: reason))
            } else {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        return reasons.isEmpty ? "no detail from OpenSSL" : reasons.joined(separator: "; ")
    }
}
