import AsyncHTTPClient
import Foundation
import GatewayTestSupport
import NIOCore
import NIOSSL

/// An HTTPS client for the TLS listener's tests (AsyncHTTPClient over swift-nio-ssl, a TLS stack other than the
/// gateway's OpenSSL check), trusting one CA file or the system's; and `openssl s_client` to see which certificate
/// a new connection is shown.
final class HTTPSProbe: Sendable {
    private let client: HTTPClient

    private init(caPath: String?) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caPath { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caPath)) }
        client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: .init(tlsConfiguration: tls, timeout: .init(connect: .seconds(2), read: .seconds(10))))
    }

    /// Runs `body` with a probe trusting `caPath` (nil: the system's CAs), and shuts the probe down however `body`
    /// ends (a client not shut down stops a debug test process).
    static func with<T>(caPath: String?, _ body: (HTTPSProbe) async throws -> T) async throws -> T {
        let probe = try HTTPSProbe(caPath: caPath)
        do {
            let result = try await body(probe)
            try? await probe.client.shutdown()
            return result
        } catch {
            try? await probe.client.shutdown()
            throw error
        }
    }

    /// One request on a connection of its own (`Connection: close`), so each call is a new TLS handshake: a POST of
    /// `json` when given, else a GET.
    func call(_ url: String, bearer: String? = nil, json: String? = nil) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = json == nil ? .GET : .POST
        request.headers.add(name: "Connection", value: "close")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 4 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// The certificate a new TLS connection to 127.0.0.1:`port` is shown, checked against `caPath` and the name
    /// `localhost` by `openssl s_client`; `extra` adds its options (`-tls1_2`, say). Throws when the handshake or
    /// the check fails, with s_client's output.
    static func servedCertificate(port: Int, caPath: String, extra: [String] = []) throws -> (subject: String, serial: String) {
        let output = try TestCertificateAuthority.openssl(
            ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost", "-verify_hostname", "localhost",
             "-CAfile", caPath, "-verify_return_error"] + extra, input: "")
        guard let begin = output.range(of: "-----BEGIN CERTIFICATE-----"),
            let end = output.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<output.endIndex)
        else {
            throw TestCertificateError(message: "s_client showed no certificate: \(output)")
        }
        let fields = try TestCertificateAuthority.openssl(
            ["x509", "-noout", "-serial", "-subject"], input: String(output[begin.lowerBound..<end.upperBound]) + "\n")
        var subject = ""
        var serial = ""
        for line in fields.split(separator: "\n") {
            if line.hasPrefix("serial=") { serial = String(line.dropFirst("serial=".count)).uppercased() }
            if line.hasPrefix("subject=") { subject = String(line.dropFirst("subject=".count)).trimmingCharacters(in: .whitespaces) }
        }
        return (subject, serial)
    }
}
