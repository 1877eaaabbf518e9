import Foundation
import GatewayTestSupport
import Testing

/// `run`'s status history bounds are checked before anything starts, and a refusal names the option or the
/// environment variable that gave the value.
extension GatewayCommandLineTests {
    /// An empty config folder: were a bound not checked, `run` would stop at "no valid tenant" instead.
    func runRefusal(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let configs = TemporaryDirectory()
        let outcome = try run(["run", "--config-dir", configs.path] + arguments, environment: environment)
        #expect(outcome.status != 0)
        return outcome.output
    }

    @Test func aStatusHistoryBoundOutOfRangeIsRefusedNamingItsOption() throws {
        #expect(try runRefusal(["--status-history-max-bytes", "1000"]).contains(
            "--status-history-max-bytes must be between 1048576 and 68719476736 bytes, not 1000"))
        #expect(try runRefusal(["--status-history-max-age", "0"]).contains(
            "--status-history-max-age must be between 1 and 604800 seconds, not 0"))
        #expect(try runRefusal(["--status-history-max-messages", "0"]).contains(
            "--status-history-max-messages must be between 1 and 10000000 messages, not 0"))
    }

    @Test func aStatusHistoryBoundFromTheEnvironmentIsCheckedNamingTheVariable() throws {
        #expect(try runRefusal([], environment: ["GGW_STATUS_HISTORY_MAX_AGE": "1h"]).contains(
            "GGW_STATUS_HISTORY_MAX_AGE must be a whole number of seconds, not '1h'"))
        #expect(try runRefusal([], environment: ["GGW_STATUS_HISTORY_MAX_BYTES": "99999999999999"]).contains(
            "GGW_STATUS_HISTORY_MAX_BYTES must be between 1048576 and 68719476736 bytes, not 99999999999999"))
    }
}
