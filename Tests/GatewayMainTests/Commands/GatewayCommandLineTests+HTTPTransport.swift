import Foundation
import GatewayTestSupport
import Testing

/// `--http-ca-file`, `--http-client-cert`, `--http-proxy` and the rest (issue 25): what `run` and `check-config`
/// refuse before anything starts, named as the operator wrote it.
extension GatewayCommandLineTests {
    @Test func aMissingCAFileIsRefusedByItsOption() throws {
        let outcome = try run(["run", "--http-ca-file", "/nonexistent/ggw-ca.pem"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("--http-ca-file /nonexistent/ggw-ca.pem: does not exist"), "\(outcome.output)")
    }

    @Test func aClientCertificateWithoutItsKeyIsRefused() throws {
        let folder = TemporaryDirectory()
        let certificate = folder.write("client.pem", "-")
        let outcome = try run(["run", "--http-client-cert", certificate])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("--http-client-cert \(certificate): needs --http-client-key as well"), "\(outcome.output)")
    }

    /// The environment variable stands in for the option, and the error names the variable.
    @Test func aProxyFromTheEnvironmentIsCheckedAndNamedByItsVariable() throws {
        let outcome = try run(["check-config", "--config-dir", "/nonexistent"], environment: ["GGW_HTTP_PROXY": "ftp://egress.example"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("GGW_HTTP_PROXY ftp://egress.example: must start with http://"), "\(outcome.output)")
    }

    @Test func aCADirectoryThatIsAFileIsRefused() throws {
        let folder = TemporaryDirectory()
        let file = folder.write("ca.pem", "-")
        let outcome = try run(["check-config", "--config-dir", folder.path, "--http-ca-dir", file])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("--http-ca-dir \(file): is not a directory"), "\(outcome.output)")
    }

    @Test func runHelpListsTheOutgoingHTTPOptions() throws {
        let outcome = try run(["run", "--help"])
        #expect(outcome.status == 0)
        for option in ["--http-ca-file", "--http-ca-dir", "--http-client-cert", "--http-client-key", "--http-proxy", "--http-no-proxy"] {
            #expect(outcome.output.contains(option), "\(option) missing from:\n\(outcome.output)")
        }
        #expect(outcome.output.contains("https_proxy"), "\(outcome.output)")
    }
}
