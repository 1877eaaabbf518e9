import Foundation
import Logging
import RedisClient

/// The redis-server the test command started (`scripts/with-redis.sh` exports `GGW_REDIS_URL`).
enum TestRedis {
    /// Why a test cannot run: it fails with this message rather than being skipped, so a test run without
    /// Redis never looks green.
    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "GGW_REDIS_URL is not set: run the tests under scripts/with-redis.sh (scripts/test.sh does), e.g. "
                + "`bash scripts/with-redis.sh swift test --filter RedisClientTests`"
        }
    }

    static func url() throws -> RedisURL {
        guard let text = ProcessInfo.processInfo.environment["GGW_REDIS_URL"], !text.isEmpty else {
            throw NotConfigured()
        }
        return try RedisURL(parsing: text)
    }

    static let logger = Logger(label: "redis-client-tests") { _ in SwiftLogNoOpLogHandler() }

    /// A client of the test server; the caller shuts it down.
    static func client(
        url: RedisURL? = nil, commandTimeout: Duration = .seconds(2), connectTimeout: Duration = .seconds(1),
        maximumPipeline: Int = 512
    ) throws -> RedisClient {
        let configuration = RedisConfiguration(
            url: try url ?? Self.url(), clientName: "redis-client-tests",
            connectTimeout: connectTimeout, commandTimeout: commandTimeout, maximumPipeline: maximumPipeline)
        return RedisClient(configuration: configuration, logger: logger)
    }

    /// A key no other test uses (tests run in parallel against one server).
    static func key(_ name: String) -> String {
        "test:\(name):\(UUID().uuidString)"
    }

    /// The server's id for the client's connection (`CLIENT ID`), to watch or kill exactly that one.
    static func connectionID(of client: RedisClient) async throws -> Int {
        guard let id = try await client.send("CLIENT", "ID").integer, let value = Int(exactly: id) else {
            throw RedisError(.protocolError, operation: "CLIENT ID", address: "\(client.url)", message: "no integer")
        }
        return value
    }

    /// Waits until the connection `id` runs a blocking `BLPOP` in the server: the command is in flight,
    /// not still queued in the client.
    static func isBlocked(connection id: Int, onServer url: RedisURL) async -> Bool {
        await eventually {
            guard let admin = try? RedisConnection(url: url, connectTimeout: .seconds(1), commandTimeout: .seconds(1)),
                let list = (try? admin.send(RedisCommand("CLIENT", "LIST", "ID", id)))?.string
            else { return false }
            return list.contains("cmd=blpop")
        }
    }

    /// Polls `condition` until it holds or `limit` passes; false on timeout.
    static func eventually(
        within limit: Duration = .seconds(5), _ condition: () async -> Bool
    ) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }
}
