import Foundation
import GatewayTestSupport
import Testing

/// How long receipts are kept, on disk and in Redis, is checked before anything starts; a value that is not a
/// number is refused naming where it came from, never replaced by the default.
extension GatewayCommandLineTests {
    @Test func aReceiptRetentionOutOfRangeOrNotANumberIsRefusedNamingItsSource() throws {
        #expect(try runRefusal(["--receipt-retention-hours", "0"]).contains(
            "--receipt-retention-hours must be between 1 and 8760 hours, not 0"))
        #expect(try runRefusal([], environment: ["GGW_RECEIPT_RETENTION_HOURS": "7d"]).contains(
            "GGW_RECEIPT_RETENTION_HOURS must be a whole number of hours, not '7d'"))
    }

    @Test func theSharedReceiptRetentionIsCheckedAndNeedsSharedMode() throws {
        #expect(try runRefusal(["--shared-receipt-retention-minutes", "60"]).contains(
            "--shared-receipt-retention-minutes needs --redis-url"))
        #expect(try runRefusal(["--redis-url", "redis://127.0.0.1:1", "--shared-receipt-retention-minutes", "5"]).contains(
            "--shared-receipt-retention-minutes must be between 10 and 525600 minutes, not 5"))
        #expect(try runRefusal(
            ["--redis-url", "redis://127.0.0.1:1"], environment: ["GGW_SHARED_RECEIPT_RETENTION_MINUTES": "1 day"]
        ).contains("GGW_SHARED_RECEIPT_RETENTION_MINUTES must be a whole number of minutes, not '1 day'"))
    }
}

/// An AMQP URL the connection would refuse stops `run`, `publish` and `replay-dlq` at once, naming the parameter and
/// never the password (it was retried every few seconds, the error only in the log).
extension GatewayCommandLineTests {
    @Test(arguments: ["run", "publish", "replay-dlq"])
    func anAMQPURLWithABadTLSParameterIsRefusedBeforeAnythingStarts(command: String) throws {
        let arguments = command == "publish" ? ["publish", "--file", "-"] : [command]
        let outcome = try run(arguments + ["--amqp-url", "amqps://gw:s3cret@127.0.0.1:5671/%2F?cacertfile=/x&bogus=1"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("URL parameter 'bogus'"), "\(outcome.output)")
        #expect(!outcome.output.contains("s3cret"))
    }
}
