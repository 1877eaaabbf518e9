import RedisClient
import RedisTestSupport
import Testing

/// The minimum server version, checked at every connect. A stub plays the old servers (a real redis-server cannot
/// be made to answer an old version); the real one's acceptance is in ``RedisTLSIntegrationTests``.
@Suite(.timeLimit(.minutes(1))) struct RedisServerVersionCheckTests {
    static let seven = RedisServerVersion(7, 0)

    static func connect(_ stub: RedisStubServer) throws(RedisError) -> RedisConnection {
        try RedisConnection(
            url: stub.url, clientName: "version-test", connectTimeout: .seconds(1), commandTimeout: .seconds(1),
            minimumServerVersion: seven)
    }

    @Test func aServerOlderThanTheMinimumIsRefusedNamingBothVersions() throws {
        let stub = try RedisStubServer(replies: ["HELLO": RedisStubServer.hello(version: "6.2.14")])
        defer { stub.stop() }
        do {
            _ = try Self.connect(stub)
            Issue.record("a 6.2.14 server was accepted")
        } catch {
            #expect(error.code == .unsupportedServer)
            #expect(error.message.contains("6.2.14") && error.message.contains("7.0.0"), "\(error)")
            #expect("\(error)".contains(stub.url.description))
        }
    }

    @Test func aServerThatDoesNotKnowHELLOIsOlderThanSix() throws {
        let stub = try RedisStubServer(replies: ["HELLO": "-ERR unknown command 'HELLO'\r\n"])
        defer { stub.stop() }
        #expect(throws: RedisError(.unsupportedServer, operation: "", address: "", message: "")) { try Self.connect(stub) }
    }

    /// An ACL user denied HELLO is asked with INFO instead: a new enough server is accepted, an old one refused.
    @Test func whenHELLOIsDeniedINFOTellsTheVersion() throws {
        let denied = "-NOPERM this user has no permissions to run the 'hello' command\r\n"
        let recent = try RedisStubServer(replies: ["HELLO": denied, "INFO": RedisStubServer.bulk("# Server\r\nredis_version:7.2.4\r\n")])
        defer { recent.stop() }
        #expect(try Self.connect(recent).serverVersion == RedisServerVersion(7, 2, 4))
        let old = try RedisStubServer(replies: ["HELLO": denied, "INFO": RedisStubServer.bulk("# Server\r\nredis_version:6.0.9\r\n")])
        defer { old.stop() }
        #expect(throws: RedisError(.unsupportedServer, operation: "", address: "", message: "")) { try Self.connect(old) }
    }

    @Test func aServerThatWillNotSayItsVersionIsRefused() throws {
        let stub = try RedisStubServer(replies: ["HELLO": "-NOPERM no\r\n", "INFO": "-NOPERM no\r\n"])
        defer { stub.stop() }
        do {
            _ = try Self.connect(stub)
            Issue.record("a server without a version was accepted")
        } catch {
            #expect(error.code == .unsupportedServer && error.message.contains("cannot tell the server's version"), "\(error)")
        }
    }

    @Test func withoutAMinimumNoVersionIsAsked() throws {
        let stub = try RedisStubServer(replies: ["HELLO": RedisStubServer.hello(version: "5.0.0")])
        defer { stub.stop() }
        let connection = try RedisConnection(url: stub.url, connectTimeout: .seconds(1), commandTimeout: .seconds(1))
        #expect(connection.serverVersion == nil)
        #expect(try connection.send(RedisCommand("PING")) == .status("OK"))
    }

    /// The client answers commands with the refusal, not with "not connected": a caller can tell a server to replace
    /// from one that is away.
    @Test func theClientAnswersCommandsWithTheRefusal() async throws {
        let stub = try RedisStubServer(replies: ["HELLO": RedisStubServer.hello(version: "6.2.14")])
        defer { stub.stop() }
        let client = RedisClient(
            configuration: RedisConfiguration(url: stub.url, minimumServerVersion: Self.seven), logger: TestRedis.logger)
        do {
            _ = try await client.send("PING")
            Issue.record("the command was answered by a refused server")
        } catch let error as RedisError {
            #expect(error.code == .unsupportedServer && error.message.contains("6.2.14"), "\(error)")
        }
        #expect(client.statistics.connects == 0)
        await client.shutdown()
    }
}
