import Logging

/// An async Redis client: one connection, owned by one dedicated thread, shared by any number of tasks.
///
/// Commands are pipelined automatically: those issued while a round trip is in flight go out together in the
/// next one, so many concurrent callers cost few round trips. Replies come back in order and each caller
/// gets its own.
///
/// When the connection breaks, the commands in flight fail with `connectionLost` (or `timeout`) — they may
/// or may not have run — and the client reconnects at once, then with a backoff doubling from
/// `initialBackoff` to `maximumBackoff`. While it is not connected, commands fail at once with
/// `notConnected` instead of waiting, so callers can fall back quickly (the rate limiter does).
public final class RedisClient: Sendable {
    private let worker: RedisWorker
    /// The server this client talks to.
    public let url: RedisURL

    /// Starts the client's thread, which connects right away.
    /// - Parameters:
    ///   - configuration: server, password, timeouts, backoff.
    ///   - logger: connection events are logged here with `redis.address` metadata.
    public init(configuration: RedisConfiguration, logger: Logger) {
        url = configuration.url
        worker = RedisWorker(configuration: configuration, logger: logger)
        worker.start()
    }

    deinit {
        worker.requestShutdown()
    }

    /// Sends a command and returns its reply.
    ///
    /// An error *reply* (`ERR …`, `WRONGTYPE …`) is returned as ``RedisReply/error(_:)``, as in a pipeline:
    /// the command reached Redis. Transport trouble throws ``RedisError`` (`connectionLost`, `timeout`,
    /// `notConnected`, `shutDown`).
    public func send(_ command: RedisCommand) async throws -> RedisReply {
        try await worker.submit(command)
    }

    /// Sends `name` with `arguments`; see ``send(_:)``.
    public func send(_ name: String, _ arguments: any RedisArgument...) async throws -> RedisReply {
        try await worker.submit(RedisCommand(name, arguments: arguments))
    }

    /// Counters since start: commands, round trips, connects.
    public var statistics: RedisClientStatistics {
        worker.statistics
    }

    /// Answers every queued command with `shutDown`, closes the connection and stops the thread.
    /// Later commands fail with `shutDown` at once.
    public func shutdown() async {
        await worker.shutdown()
    }
}
