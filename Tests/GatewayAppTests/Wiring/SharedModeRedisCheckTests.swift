import GatewayApp
import Logging
import RedisClient
import RedisTestSupport
import Testing

/// Shared mode's start check (issue 25): a Redis older than 7.0 ends the start with an error naming both versions and
/// the server; a Redis that cannot be reached does not (shared mode runs on its fallbacks meanwhile).
@Suite(.timeLimit(.minutes(1))) struct SharedModeRedisCheckTests {
    static let logger = Logger(label: "shared-mode-check") { _ in SwiftLogNoOpLogHandler() }

    static func client(_ url: RedisURL) -> RedisClient {
        RedisClient(
            configuration: RedisConfiguration(url: url, minimumServerVersion: SharedModeSettings.minimumRedisVersion),
            logger: logger)
    }

    @Test func aRedisOlderThanSevenEndsTheStart() async throws {
        let stub = try RedisStubServer(replies: ["HELLO": RedisStubServer.hello(version: "6.2.14")])
        defer { stub.stop() }
        let client = Self.client(stub.url)
        do {
            try await SharedModeSettings.checkServer(client, logger: Self.logger)
            Issue.record("shared mode started on Redis 6.2.14")
        } catch let refusal as SharedModeSettings.UnsupportedRedis {
            let text = "\(refusal)"
            #expect(text.contains("shared mode needs Redis 7.0.0 or newer") && text.contains("SET … NX GET"), "\(text)")
            #expect(text.contains("6.2.14") && text.contains(stub.url.description), "\(text)")
        }
        await client.shutdown()
    }

    @Test func aRedisOfSevenOrNewerPasses() async throws {
        let stub = try RedisStubServer(replies: ["HELLO": RedisStubServer.hello(version: "7.0.0"), "PING": "+PONG\r\n"])
        defer { stub.stop() }
        let client = Self.client(stub.url)
        try await SharedModeSettings.checkServer(client, logger: Self.logger)
        await client.shutdown()
    }

    @Test func anUnreachableRedisDoesNotEndTheStart() async throws {
        let client = Self.client(RedisURL(host: "127.0.0.1", port: 1))
        try await SharedModeSettings.checkServer(client, logger: Self.logger)
        await client.shutdown()
    }
}
