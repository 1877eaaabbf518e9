import Foundation
import GatewayTestSupport
import Testing

/// `--redis-url rediss://…` (issue 25): what `run` refuses before anything starts.
extension GatewayCommandLineTests {
    /// An ACL user in the URL needs its password, by reference.
    @Test func aRedisUserWithoutAPasswordIsRefused() throws {
        let outcome = try run(["run", "--redis-url", "rediss://gateway@127.0.0.1:1/0?ssl_cert_reqs=none"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("names the ACL user 'gateway'") && outcome.output.contains("--redis-password"), "\(outcome.output)")
    }

    /// A misspelt TLS parameter is named rather than ignored (it could silently weaken TLS).
    @Test func anUnknownRedisURLParameterIsRefusedByName() throws {
        let outcome = try run(["run", "--redis-url", "rediss://127.0.0.1:1/0?ssl_ca_cert=/etc/ca.pem"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("unknown query parameter 'ssl_ca_cert'"), "\(outcome.output)")
    }

    /// The option's help shows the TLS form and its parameters.
    @Test func runHelpShowsTheRedissForm() throws {
        let outcome = try run(["run", "--help"])
        #expect(outcome.status == 0)
        #expect(outcome.output.contains("rediss://") && outcome.output.contains("ssl_ca_certs"), "\(outcome.output)")
    }
}
