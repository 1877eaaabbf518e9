import CRedisShims
import Dispatch
import Foundation
import Logging
import Synchronization

/// The thread behind a ``RedisClient``: it alone owns the ``RedisConnection`` (a hiredis context is not
/// thread-safe and blocks), so no call into hiredis ever runs on Swift's cooperative pool.
///
/// Callers put commands in a locked inbox and wake the thread with a semaphore. The thread takes everything
/// queued (up to `maximumPipeline`) and sends it as one pipeline: whatever arrives while a round trip is in
/// flight goes out together in the next one. Every command is answered exactly once, on every path: by its
/// reply, by the transport error that broke the connection, by `notConnected` while reconnecting, or by
/// `shutDown`.
final class RedisWorker: Sendable {
    /// A command and the caller waiting for it.
    private struct Pending {
        var command: RedisCommand
        var continuation: CheckedContinuation<RedisReply, any Error>
    }

    private struct Inbox {
        var pending: [Pending] = []
        var shuttingDown = false
        var running = true
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        var statistics = RedisClientStatistics()
    }

    private let configuration: RedisConfiguration
    private let logger: Logger
    private let inbox = Mutex(Inbox())
    private let wakeup = DispatchSemaphore(value: 0)

    init(configuration: RedisConfiguration, logger: Logger) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "redis.address"] = "\(configuration.url)"
        logger[metadataKey: "redis.tls"] = configuration.url.tls == nil ? "off" : "on"
        self.logger = logger
    }

    /// Starts the thread; it connects at once, so the first command usually finds a connection.
    func start() {
        let thread = Thread { [self] in
            crs_set_current_thread_name("redis-client")
            // TLS writes go through OpenSSL's write(2): a closed connection must fail the write, not end the process.
            _ = crs_block_sigpipe_on_this_thread()
            run()
        }
        thread.start()
    }

    var statistics: RedisClientStatistics {
        inbox.withLock { $0.statistics }
    }

    /// Queues a command and waits for its reply. A cancelled caller still waits: the command may already be
    /// on the wire, and its reply arrives within the command timeout anyway.
    func submit(_ command: RedisCommand) async throws -> RedisReply {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = inbox.withLock { inbox -> Bool in
                guard !inbox.shuttingDown else { return false }
                inbox.pending.append(Pending(command: command, continuation: continuation))
                return true
            }
            if accepted {
                wakeup.signal()
            } else {
                continuation.resume(throwing: error(.shutDown, command.name, "the client is shut down"))
            }
        }
    }

    /// Asks the thread to stop without waiting (from `RedisClient.deinit`).
    func requestShutdown() {
        inbox.withLock { $0.shuttingDown = true }
        wakeup.signal()
    }

    /// Answers every queued command with `shutDown`, closes the connection and returns once the thread has
    /// stopped. A round trip in flight finishes first (bounded by the command timeout).
    func shutdown() async {
        await withCheckedContinuation { continuation in
            let stopped = inbox.withLock { inbox -> Bool in
                inbox.shuttingDown = true
                if inbox.running { inbox.stopWaiters.append(continuation) }
                return !inbox.running
            }
            if stopped { continuation.resume() } else { wakeup.signal() }
        }
    }

    private func run() {
        let clock = ContinuousClock()
        var connection: RedisConnection?
        var backoff = configuration.initialBackoff
        var nextAttempt = clock.now
        var lastFailure = "not connected yet"
        // Set while the server is refused for what it is (too old): commands then fail with that, not `notConnected`,
        // so a caller can tell a server that must be replaced from one that is away.
        var refusal: RedisError?
        var failuresInARow = 0
        logger.debug("Redis client thread started")
        if let tls = configuration.url.tls, !tls.verifiesPeer {
            logger.warning("Redis TLS without verification (ssl_cert_reqs=none): anyone on the path can pose as the server")
        } else if let tls = configuration.url.tls, !tls.checksHostname {
            logger.warning("Redis TLS without host name check (ssl_check_hostname=false): any server the CA signed is accepted")
        }

        func connectIfDue() {
            guard connection == nil, clock.now >= nextAttempt else { return }
            do {
                connection = try RedisConnection(
                    url: configuration.url, password: configuration.password, clientName: configuration.clientName,
                    connectTimeout: configuration.connectTimeout, commandTimeout: configuration.commandTimeout,
                    minimumServerVersion: configuration.minimumServerVersion)
                refusal = nil
                inbox.withLock { $0.statistics.connects += 1 }
                logger.info("Redis connected", metadata: ["redis.failed_attempts": "\(failuresInARow)"])
                backoff = configuration.initialBackoff
                failuresInARow = 0
            } catch {
                inbox.withLock { $0.statistics.failedConnects += 1 }
                failuresInARow += 1
                lastFailure = error.message
                refusal = error.code == .unsupportedServer ? error : nil
                nextAttempt = clock.now + backoff
                // The first failure of a streak is worth a warning (an error when the server is refused for good); the
                // retries after it only clutter the log.
                logger.log(
                    level: failuresInARow == 1 ? (refusal == nil ? .warning : .error) : .debug, "Redis connect failed",
                    metadata: [
                        "redis.error": "\(error.message)", "redis.operation": "\(error.operation)", "redis.retry_in": "\(backoff)",
                        "redis.failed_attempts": "\(failuresInARow)",
                    ])
                backoff = min(backoff * 2, configuration.maximumBackoff)
            }
        }

        while true {
            if !inbox.withLock({ $0.shuttingDown }) { connectIfDue() }

            let (batch, shuttingDown) = inbox.withLock { inbox in
                let count = min(inbox.pending.count, configuration.maximumPipeline)
                let batch = Array(inbox.pending.prefix(count))
                inbox.pending.removeFirst(count)
                return (batch, inbox.shuttingDown)
            }
            if shuttingDown {
                stop(answering: batch, connection: connection)
                return
            }
            if batch.isEmpty {
                if connection == nil {
                    _ = wakeup.wait(timeout: .now() + Self.dispatchInterval(nextAttempt - clock.now))
                } else {
                    wakeup.wait()
                }
                continue
            }
            // A server restart (or its idle timeout) closes the socket while nothing is in flight: notice it
            // before sending, so the batch goes out on a fresh connection instead of failing.
            if let idle = connection, idle.closedWhileIdle() {
                logger.info("Redis closed the idle connection; reconnecting")
                connection = nil
                nextAttempt = clock.now
                connectIfDue()
            }
            guard let current = connection else {
                let retryIn = max(.zero, nextAttempt - clock.now)
                for pending in batch {
                    pending.continuation.resume(throwing: error(
                        refusal == nil ? .notConnected : .unsupportedServer, pending.command.name,
                        "\(lastFailure); reconnecting in \(retryIn)"))
                }
                inbox.withLock { $0.statistics.commands += batch.count }
                continue
            }

            let results = current.pipeline(batch.map(\.command))
            inbox.withLock {
                $0.statistics.commands += batch.count
                $0.statistics.roundTrips += 1
            }
            for (pending, result) in zip(batch, results) {
                pending.continuation.resume(with: result.mapError { $0 as any Error })
            }
            if current.isBroken {
                let failure = Self.failureText(results)
                lastFailure = failure
                logger.warning("Redis connection lost", metadata: ["redis.error": "\(failure)"])
                connection = nil
                nextAttempt = clock.now
            }
        }
    }

    /// Answers the last commands with `shutDown`, closes the connection, releases `shutdown()` callers.
    private func stop(answering batch: [Pending], connection: RedisConnection?) {
        connection?.close()
        let (rest, waiters) = inbox.withLock { inbox in
            defer {
                inbox.pending = []
                inbox.stopWaiters = []
                inbox.running = false
            }
            return (inbox.pending, inbox.stopWaiters)
        }
        for pending in batch + rest {
            pending.continuation.resume(throwing: error(.shutDown, pending.command.name, "the client is shutting down"))
        }
        logger.info("Redis client stopped")
        for waiter in waiters { waiter.resume() }
    }

    private static func failureText(_ results: [Result<RedisReply, RedisError>]) -> String {
        for case .failure(let error) in results { return error.message }
        return "connection closed"
    }

    private func error(_ code: RedisError.Code, _ operation: String, _ message: String) -> RedisError {
        RedisError(code, operation: operation, address: configuration.url.description, message: message)
    }

    private static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        let parts = max(duration, .zero).components
        let nanoseconds = parts.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanoseconds.overflow, let value = Int(exactly: nanoseconds.partialValue + parts.attoseconds / 1_000_000_000)
        else { return .seconds(60) }
        return .nanoseconds(value)
    }
}
