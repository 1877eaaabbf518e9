import Foundation
import GatewayTestSupport
import Testing

/// No AMQP password in anything the command line prints (issue 11 item 11).
extension GatewayCommandLineTests {
    static let secretURL = "amqp://gateway:s3cr3t-pw@127.0.0.1:1/%2F"

    @Test(arguments: ["run", "publish", "replay-dlq"])
    func helpDoesNotShowTheAMQPURLFromTheEnvironment(command: String) throws {
        let outcome = try run([command, "--help"], environment: ["GGW_AMQP_URL": Self.secretURL])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("--amqp-url"))
        #expect(!outcome.output.contains("s3cr3t-pw"), "\(outcome.output)")
    }

    /// Slow by design: `publish` waits 15 s for a broker that never answers.
    @Test func aPublishThatIsNeverConfirmedNamesTheBrokerWithoutItsPassword() throws {
        let directory = TemporaryDirectory()
        let message = directory.write("message.json", #"{"id":"m-1","tenantId":"acme","type":"text","text":"hi"}"#)
        let outcome = try run(["publish", "--amqp-url", Self.secretURL, "--file", message])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("amqp://gateway:***@127.0.0.1:1/%2F"), "\(outcome.output)")
        #expect(!outcome.output.contains("s3cr3t-pw"), "\(outcome.output)")
    }

    /// A Redis URL with a password in it is refused before anything starts, and the password is not repeated.
    @Test func aRedisURLWithAPasswordIsRefusedWithoutShowingIt() throws {
        let outcome = try run(["run", "--redis-url", "redis://gateway:s3cr3t-pw@127.0.0.1:1/0"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("pass the password by reference"), "\(outcome.output)")
        #expect(!outcome.output.contains("s3cr3t-pw"), "\(outcome.output)")
    }

    /// The Redis password only by reference: a plain one is refused, and not echoed.
    @Test func aPlainRedisPasswordIsRefusedWithoutShowingIt() throws {
        let outcome = try run(["run", "--redis-url", "redis://127.0.0.1:1/0", "--redis-password", "s3cr3t-pw"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("env:NAME or file:/absolute/path"), "\(outcome.output)")
        #expect(!outcome.output.contains("s3cr3t-pw"), "\(outcome.output)")
    }
}
