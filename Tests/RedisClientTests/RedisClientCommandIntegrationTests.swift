import Foundation
import RedisClient
import Synchronization
import Testing

/// Commands and replies against the real test server.
@Suite(.timeLimit(.minutes(1))) struct RedisClientCommandIntegrationTests {
    @Test func everyReplyTypeComesBackAsItsCase() async throws {
        let client = try TestRedis.client()
        let key = TestRedis.key("types")
        let list = TestRedis.key("list")
        #expect(try await client.send("SET", key, "value") == .status("OK"))
        #expect(try await client.send("GET", key) == .bulk(Array("value".utf8)))
        #expect(try await client.send("GET", TestRedis.key("absent")) == .null)
        #expect(try await client.send("INCR", TestRedis.key("counter")) == .integer(1))
        #expect(try await client.send("RPUSH", list, "a", 2, Data([0x62])) == .integer(3))
        #expect(try await client.send("LRANGE", list, 0, -1) == .array([.bulk([0x61]), .bulk([0x32]), .bulk([0x62])]))
        #expect(try await client.send("LRANGE", TestRedis.key("empty"), 0, -1) == .array([]))
        #expect(try await client.send("EXPIRE", key, 60) == .integer(1))
        #expect(try await client.send("PING") == .status("PONG"))
        await client.shutdown()
    }

    @Test func argumentsAndValuesAreBinarySafe() async throws {
        let client = try TestRedis.client()
        let key = TestRedis.key("binary")
        let bytes: [UInt8] = [0, 13, 10, 255, 0, 42, 0]
        #expect(try await client.send("SET", key, bytes) == .status("OK"))
        #expect(try await client.send("GET", key) == .bulk(bytes))
        #expect(try await client.send("SET", key, "") == .status("OK"))
        #expect(try await client.send("GET", key) == .bulk([]))
        await client.shutdown()
    }

    @Test func nestedArraysAndLargeValuesAreCopiedWhole() async throws {
        let client = try TestRedis.client()
        let nested = try await client.send("EVAL", "return {1, {2, 'x', {}}, 'y'}", 0)
        #expect(nested == .array([.integer(1), .array([.integer(2), .bulk([0x78]), .array([])]), .bulk([0x79])]))
        let key = TestRedis.key("large")
        let large = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(try await client.send("SET", key, large) == .status("OK"))
        #expect(try await client.send("GET", key) == .bulk(large))
        await client.shutdown()
    }

    @Test func aRoundTripCarriesAtMostTheConfiguredPipeline() async throws {
        let client = try TestRedis.client(maximumPipeline: 4)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<100 { group.addTask { _ = try await client.send("ECHO", "\(index)") } }
            try await group.waitForAll()
        }
        #expect(client.statistics.commands == 100)
        #expect(client.statistics.roundTrips >= 25)
        await client.shutdown()
    }

    @Test func anErrorReplyIsAValueAndTheConnectionStaysUsable() async throws {
        let client = try TestRedis.client()
        let key = TestRedis.key("text")
        _ = try await client.send("SET", key, "not a number")
        let reply = try await client.send("INCR", key)
        #expect(reply.errorMessage?.hasPrefix("ERR") == true)
        let unknown = try await client.send("NO-SUCH-COMMAND")
        #expect(unknown.errorMessage?.contains("unknown command") == true)
        #expect(try await client.send("PING") == .status("PONG"))
        #expect(client.statistics.connects == 1)
        await client.shutdown()
    }

    @Test func concurrentCallersShareRoundTripsAndGetTheirOwnReplies() async throws {
        let client = try TestRedis.client()
        let callers = 500
        let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<callers {
                group.addTask {
                    let reply = try await client.send("ECHO", "caller-\(index)")
                    return reply == .bulk(Array("caller-\(index)".utf8)) ? 0 : 1
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(mismatches == 0)
        let statistics = client.statistics
        #expect(statistics.commands == callers)
        // Commands queued during a round trip share the next one.
        #expect(statistics.roundTrips < callers)
        await client.shutdown()
    }

    @Test func aConnectionPipelinesInOneWriteAndKeepsTheOrder() throws {
        let connection = try RedisConnection(
            url: try TestRedis.url(), connectTimeout: .seconds(1), commandTimeout: .seconds(2))
        let key = TestRedis.key("pipeline")
        let commands = (1...100).map { _ in RedisCommand("INCR", key) } + [RedisCommand("BAD-COMMAND")]
        let results = connection.pipeline(commands)
        #expect(results.count == 101)
        #expect(results.prefix(100).map { try? $0.get() } == (1...100).map { RedisReply.integer(Int64($0)) })
        #expect((try? results[100].get())?.errorMessage != nil)
        #expect(!connection.isBroken)
        connection.close()
        #expect(connection.isBroken)
        #expect(throws: RedisError(.connectionLost, operation: "", address: "", message: "")) {
            try connection.send(RedisCommand("PING"))
        }
    }

    @Test func aScriptIsReloadedAfterNOSCRIPT() async throws {
        let client = try TestRedis.client()
        let script = try await client.script(load: "return 'echo:' .. ARGV[1] .. ':' .. KEYS[1]")
        #expect(try await client.evalSHA(script, keys: ["k"], arguments: ["one"]) == .bulk(Array("echo:one:k".utf8)))
        // A server restart or SCRIPT FLUSH empties the cache; the helper loads the script again.
        #expect(try await client.send("SCRIPT", "FLUSH") == .status("OK"))
        #expect(try await client.send("SCRIPT", "EXISTS", script.sha1) == .array([.integer(0)]))
        #expect(try await client.evalSHA(script, keys: ["k"], arguments: ["two"]) == .bulk(Array("echo:two:k".utf8)))
        #expect(try await client.send("SCRIPT", "EXISTS", script.sha1) == .array([.integer(1)]))
        await client.shutdown()
    }

    @Test func aFailingScriptThrowsTheServerError() async throws {
        let client = try TestRedis.client()
        let script = try await client.script(load: "return redis.error_reply('LIMIT broken on purpose')")
        do {
            _ = try await client.evalSHA(script)
            Issue.record("a failing script returned normally")
        } catch let error as RedisError {
            #expect(error.code == .serverError)
            // EVAL when the NOSCRIPT test beside this one has just flushed the script cache.
            #expect(["EVALSHA", "EVAL"].contains(error.operation))
            #expect(error.message.contains("broken on purpose"))
        }
        await #expect(throws: RedisError(.serverError, operation: "", address: "", message: "")) {
            try await client.script(load: "this is not lua")
        }
        await client.shutdown()
    }
}
