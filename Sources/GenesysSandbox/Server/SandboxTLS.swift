//
// SandboxTLS.swift — GenesysSandbox
// HTTPS for the sandbox: its certificate and key, and optionally the CA whose client certificates it requires.
//

import HummingbirdTLS

/// The files the sandbox serves HTTPS with (`--tls-cert-file`, `--tls-key-file`, `--tls-client-ca-file`; `tls` in
/// the config file), so the gateway's TLS settings (CA file, client certificate) can be tried against it.
public struct SandboxTLS: Sendable, Codable, Equatable {
    /// PEM: the sandbox's certificate, then its chain if any. It must name the host clients connect to
    /// (`IP:127.0.0.1` for the default address).
    public var certificateFile: String
    /// PEM: its private key, not encrypted.
    public var keyFile: String
    /// PEM: the CAs whose client certificates the sandbox accepts; set, it requires one (mutual TLS) and refuses a
    /// connection without it during the handshake.
    public var clientCAFile: String?

    /// - Parameters:
    ///   - certificateFile: the server certificate (PEM, chain after it).
    ///   - keyFile: its key (PEM).
    ///   - clientCAFile: the CAs of the client certificates to require; nil asks for none.
    public init(certificateFile: String, keyFile: String, clientCAFile: String? = nil) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.clientCAFile = clientCAFile
    }

    /// The server side of the handshake, the files read now (a file that cannot be read stops the start).
    /// - Throws: `SandboxError.invalidConfiguration` naming the file.
    func serverConfiguration() throws -> TLSConfiguration {
        func load<T>(_ what: String, _ path: String, _ read: () throws -> T) throws -> T {
            do {
                return try read()
            } catch {
                throw SandboxError.invalidConfiguration("TLS \(what) \(path) cannot be used: \(error)")
            }
        }
        let chain = try load("certificate file", certificateFile) { try NIOSSLCertificate.fromPEMFile(certificateFile) }
        guard !chain.isEmpty else { throw SandboxError.invalidConfiguration("TLS certificate file \(certificateFile) holds no certificate") }
        let key = try load("key file", keyFile) { try NIOSSLPrivateKey(file: keyFile, format: .pem) }
        guard let clientCAFile else {
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        }
        let clientCAs = try load("client CA file", clientCAFile) { try NIOSSLCertificate.fromPEMFile(clientCAFile) }
        // Verification on (without host names, which clients' certificates do not hold) makes BoringSSL require a
        // client certificate from these CAs and fail the handshake without one.
        return TLSConfiguration.makeServerConfigurationWithMTLS(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key), trustRoots: .certificates(clientCAs))
    }
}
