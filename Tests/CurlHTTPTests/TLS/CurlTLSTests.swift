import Foundation
import GatewayTestSupport
import Testing
@testable import CurlHTTP
@testable import GatewayCore

/// libcurl's CA and client-certificate options (issue 25) against the sandbox serving HTTPS on 127.0.0.1 with a
/// certificate from the test's own CA, which the system does not trust.
@Suite(.timeLimit(.minutes(1))) struct CurlTLSTests {
    @Test func theSystemsCAsRefuseTheServerNamingWhatWasChecked() async throws {
        try await HTTPSSandbox.run { url, _ in
            try await HTTPSSandbox.withClient { client async throws in
                let error = try #require(await HTTPSSandbox.failure(url, client))
                #expect(error.message.contains("the server's certificate was not accepted"), "\(error)")
                #expect(error.message.contains("libcurl's default CA file and libcurl's default CA directory"), "\(error)")
                #expect(error.message.contains("unable to get local issuer certificate"), "\(error)")
            }
        }
    }

    @Test func theCAFileOfTheClientIsTrusted() async throws {
        try await HTTPSSandbox.run { url, certificates in
            try await HTTPSSandbox.withClient(HTTPTransportSettings(caFile: certificates.ca)) { client async throws in
                #expect(try await HTTPSSandbox.get(url, client).status == 200)
            }
        }
    }

    /// An org's CA file (the request's settings) replaces the client's for that request only.
    @Test func aRequestsCAFileReplacesTheClientsForThatRequest() async throws {
        try await HTTPSSandbox.run { url, certificates in
            try await HTTPSSandbox.withClient(HTTPTransportSettings(caFile: certificates.wrongCA)) { client async throws in
                #expect(try await HTTPSSandbox.get(url, client, transport: HTTPTransportSettings(caFile: certificates.ca)).status == 200)
                let error = try #require(await HTTPSSandbox.failure(url, client))
                #expect(error.message.contains("checked against CA file \(certificates.wrongCA)"), "\(error)")
            }
        }
    }

    /// `CURLOPT_CAPATH`: a directory of hashed CA certificates.
    @Test func theCADirectoryIsTrusted() async throws {
        try await HTTPSSandbox.run { url, certificates in
            let directory = try certificates.caDirectory()
            try await HTTPSSandbox.withClient(HTTPTransportSettings(caDirectory: directory)) { client async throws in
                #expect(try await HTTPSSandbox.get(url, client).status == 200)
            }
        }
    }

    /// A CA file that went away after the start is named in the error of each call.
    @Test func aMissingCAFileIsNamed() async throws {
        try await HTTPSSandbox.run { url, _ in
            try await HTTPSSandbox.withClient(HTTPTransportSettings(caFile: "/nonexistent/ggw-ca.pem")) { client async throws in
                let error = try #require(await HTTPSSandbox.failure(url, client))
                #expect(error.message.contains("the CAs could not be read (CA file /nonexistent/ggw-ca.pem"), "\(error)")
            }
        }
    }

    @Test func aServerThatRequiresAClientCertificateRefusesACallWithoutOne() async throws {
        try await HTTPSSandbox.run(requiringClientCertificates: true) { url, certificates in
            try await HTTPSSandbox.withClient(HTTPTransportSettings(caFile: certificates.ca)) { client async throws in
                let error = try #require(await HTTPSSandbox.failure(url, client))
                #expect(error.message.contains("no client certificate configured"), "\(error)")
            }
        }
    }

    @Test func theClientCertificateAndKeyAreShown() async throws {
        try await HTTPSSandbox.run(requiringClientCertificates: true) { url, certificates in
            let transport = HTTPTransportSettings(
                caFile: certificates.ca, clientCertificateFile: certificates.clientCertificate, clientKeyFile: certificates.clientKey)
            try await HTTPSSandbox.withClient(transport) { client async throws in
                #expect(try await HTTPSSandbox.get(url, client).status == 200)
            }
        }
    }

    /// A certificate the server's CA did not sign is refused, and the error names the certificate shown.
    @Test func aCertificateFromAnotherCAIsRefusedNamingIt() async throws {
        try await HTTPSSandbox.run(requiringClientCertificates: true) { url, certificates in
            let transport = HTTPTransportSettings(
                caFile: certificates.ca, clientCertificateFile: certificates.strangerCertificate, clientKeyFile: certificates.strangerKey)
            try await HTTPSSandbox.withClient(transport) { client async throws in
                let error = try #require(await HTTPSSandbox.failure(url, client))
                #expect(error.message.contains("client certificate \(certificates.strangerCertificate)"), "\(error)")
            }
        }
    }
}
