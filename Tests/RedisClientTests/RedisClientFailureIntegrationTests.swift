import Foundation
import RedisClient
import RedisTestSupport
import Synchronization
import Testing

/// Broken connections, timeouts, restarts and shutdown: every caller is answered, later commands succeed.
@Suite(.timeLimit(.minutes(1))) struct RedisClientFailureIntegrationTests {
    @Test func aKilledConnectionFailsTheCommandInFlightThenReconnects() async throws {
        let client = try TestRedis.client(commandTimeout: .seconds(10))
        let admin = try TestRedis.client()
        let id = try await TestRedis.connectionID(of: client)
        // A command blocked in Redis is in flight until the kill.
        let blocked = Task { try await client.send("BLPOP", TestRedis.key("never"), 8) }
        #expect(await TestRedis.isBlocked(connection: id, onServer: try TestRedis.url()))
        #expect(try await admin.send("CLIENT", "KILL", "ID", id) == .integer(1))
        await #expect(throws: RedisError(.connectionLost, operation: "", address: "", message: "")) {
            try await blocked.value
        }
        #expect(try await client.send("PING") == .status("PONG"))
        #expect(client.statistics.connects == 2)
        await client.shutdown()
        await admin.shutdown()
    }

    @Test func aConnectionDroppedWhileIdleIsReplacedBeforeTheNextCommand() async throws {
        let client = try TestRedis.client()
        let admin = try TestRedis.client()
        let id = try await TestRedis.connectionID(of: client)
        #expect(try await admin.send("CLIENT", "KILL", "ID", id) == .integer(1))
        try await Task.sleep(for: .milliseconds(50))
        // No caller sees the dead socket: the client notices it is closed and reconnects first.
        #expect(try await client.send("PING") == .status("PONG"))
        #expect(client.statistics.connects == 2)
        await client.shutdown()
        await admin.shutdown()
    }

    @Test func aSlowReplyTimesOutAndTheNextCommandSucceeds() async throws {
        let client = try TestRedis.client(commandTimeout: .milliseconds(200))
        let start = ContinuousClock.now
        do {
            _ = try await client.send("BLPOP", TestRedis.key("never"), 3)
            Issue.record("BLPOP returned before its timeout")
        } catch let error as RedisError {
            #expect(error.code == .timeout)
            #expect(error.operation == "BLPOP")
        }
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(try await client.send("PING") == .status("PONG"))
        await client.shutdown()
    }

    @Test func withNoServerCommandsFailFastWithTheReason() async throws {
        // Port 1 on loopback: nothing listens there, the connect is refused at once.
        let client = try TestRedis.client(url: RedisURL(host: "127.0.0.1", port: 1))
        let start = ContinuousClock.now
        do {
            _ = try await client.send("PING")
            Issue.record("PING succeeded without a server")
        } catch let error as RedisError {
            #expect(error.code == .notConnected)
            #expect(error.address == "127.0.0.1:1/0")
            #expect(error.message.lowercased().contains("refused"))
        }
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(client.statistics.failedConnects >= 1)
        await client.shutdown()
    }

    @Test func aServerRestartFailsPendingCallersThenServiceResumes() async throws {
        let server = try PrivateRedisServer()
        let client = try TestRedis.client(url: server.url, commandTimeout: .seconds(10))
        #expect(try await client.send("SET", "k", "v") == .status("OK"))
        let id = try await TestRedis.connectionID(of: client)
        let blocked = Task { try await client.send("BLPOP", "never", 8) }
        #expect(await TestRedis.isBlocked(connection: id, onServer: server.url))
        server.kill()
        do {
            _ = try await blocked.value
            Issue.record("BLPOP answered by a killed server")
        } catch let error as RedisError {
            #expect(error.code == .connectionLost)
        }
        // Down: commands are answered with an error, not held.
        await #expect(throws: RedisError.self) { try await client.send("PING") }
        try server.restart()
        let resumed = await TestRedis.eventually(within: .seconds(8)) {
            (try? await client.send("PING")) == .status("PONG")
        }
        #expect(resumed)
        #expect(client.statistics.connects == 2)
        await client.shutdown()
    }

    @Test func shutdownAnswersEveryQueuedCaller() async throws {
        let client = try TestRedis.client(commandTimeout: .seconds(5))
        let id = try await TestRedis.connectionID(of: client)
        let inFlight = Task { try await client.send("BLPOP", TestRedis.key("never"), 1) }
        #expect(await TestRedis.isBlocked(connection: id, onServer: try TestRedis.url()))
        let queued = (0..<10).map { index in Task { try await client.send("ECHO", "queued-\(index)") } }
        try await Task.sleep(for: .milliseconds(100))
        await client.shutdown()
        // The round trip in flight finishes; what waited behind it is answered with shutDown.
        #expect(try await inFlight.value == .null)
        for task in queued {
            await #expect(throws: RedisError(.shutDown, operation: "", address: "", message: "")) {
                try await task.value
            }
        }
        await #expect(throws: RedisError(.shutDown, operation: "", address: "", message: "")) {
            try await client.send("PING")
        }
    }
}
