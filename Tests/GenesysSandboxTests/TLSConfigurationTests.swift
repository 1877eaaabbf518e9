//
// TLSConfigurationTests.swift — GenesysSandboxTests
// HTTPS for the sandbox: the config file's `tls`, and a start refused over a file it cannot use.
//

import Foundation
import Testing

@testable import GenesysSandbox

@Suite("TLS configuration")
struct TLSConfigurationTests {
    @Test func theConfigFileNamesTheTLSFiles() throws {
        let json = #"{"tls": {"certificateFile": "/etc/s/server.pem", "keyFile": "/etc/s/key.pem", "clientCAFile": "/etc/s/ca.pem"}}"#
        let configuration = try JSONDecoder().decode(SandboxConfiguration.self, from: Data(json.utf8))
        #expect(configuration.tls == SandboxTLS(certificateFile: "/etc/s/server.pem", keyFile: "/etc/s/key.pem", clientCAFile: "/etc/s/ca.pem"))
        #expect(try JSONDecoder().decode(SandboxConfiguration.self, from: Data("{}".utf8)).tls == nil)
    }

    @Test func aCertificateFileThatCannotBeReadStopsTheStartNamingIt() throws {
        let configuration = SandboxConfiguration(
            port: 0, tls: SandboxTLS(certificateFile: "/nonexistent/sandbox.pem", keyFile: "/nonexistent/sandbox-key.pem"))
        let error = try #require(throws: SandboxError.self) { try SandboxServer(configuration: configuration) }
        #expect(error.reason.contains("TLS certificate file /nonexistent/sandbox.pem cannot be used"), "\(error)")
    }
}
