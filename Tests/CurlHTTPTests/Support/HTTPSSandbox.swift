import GatewayCore
import GatewayTestSupport
import GenesysSandbox
import Logging
@testable import CurlHTTP

/// The sandbox serving HTTPS on 127.0.0.1 with the test CA's server certificate, and a client for it: what the TLS and
/// proxy tests of the HTTP client talk to.
enum HTTPSSandbox {
    /// Starts the sandbox (requiring client certificates from the test CA when asked), runs `body` with the URL of its
    /// health route and the certificates, then stops it.
    static func run<T: Sendable>(
        requiringClientCertificates: Bool = false, _ body: (String, TestCertificates) async throws -> T
    ) async throws -> T {
        let certificates = try TestCertificates.shared()
        var logger = Logger(label: "https-sandbox")
        logger.logLevel = .critical
        let configuration = SandboxConfiguration(
            port: 0,
            tls: SandboxTLS(
                certificateFile: certificates.serverCertificate, keyFile: certificates.serverKey,
                clientCAFile: requiringClientCertificates ? certificates.ca : nil))
        return try await SandboxServer.withRunning(configuration, logger: logger) { sandbox in
            try await body(sandbox.baseURL + "/sandbox/health", certificates)
        }
    }

    /// Runs `body` with a client of these settings, shut down afterwards.
    static func withClient<T>(
        _ transport: HTTPTransportSettings = HTTPTransportSettings(), idleHandles: Int = 64, _ body: (CurlHTTPClient) async throws -> T
    ) async throws -> T {
        let client = CurlHTTPClient(idleHandles: idleHandles, transport: transport)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// `GET url` with `transport` over the client's own.
    static func get(_ url: String, _ client: CurlHTTPClient, transport: HTTPTransportSettings = HTTPTransportSettings()) async throws -> HTTPResponse {
        try await client.execute(HTTPRequest(method: "GET", url: url, connectTimeout: .seconds(5), totalTimeout: .seconds(10), transport: transport))
    }

    /// The error `GET url` ends with; nil when it got an answer (a test then fails on that).
    static func failure(_ url: String, _ client: CurlHTTPClient, transport: HTTPTransportSettings = HTTPTransportSettings()) async -> TransportError? {
        do {
            _ = try await get(url, client, transport: transport)
            return nil
        } catch let error as TransportError {
            return error
        } catch {
            return TransportError(kind: .other, message: "not a TransportError: \(error)", url: url)
        }
    }
}
