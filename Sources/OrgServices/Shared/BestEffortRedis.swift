import Logging
import RedisClient

/// Redis as the shared stores use it: a command either answers or yields nil, never throws, so a store can
/// go on with this replica's own state while Redis is unreachable. Refusals are logged as warnings (they mean
/// a bug or a misconfigured server); transport trouble at debug (it is expected while Redis restarts, and
/// the replica's readiness and the limiter already report it).
struct BestEffortRedis: Sendable {
    let client: RedisClient
    /// What the store keeps, for log lines ("idempotency record", "status history", …).
    let purpose: String
    let logger: Logger

    func send(_ name: String, _ arguments: any RedisArgument...) async -> RedisReply? {
        do {
            let reply = try await client.send(RedisCommand(name, arguments: arguments))
            if let message = reply.errorMessage {
                logger.warning("\(purpose): Redis refused \(name)", metadata: ["error": "\(message)"])
                return nil
            }
            return reply
        } catch {
            logger.debug("\(purpose): Redis unreachable, this replica's own state alone", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Runs `script` (``RedisClient/evalSHA(_:keys:arguments:)``); nil as ``send(_:_:)`` gives it.
    func run(_ script: RedisScript, keys: [any RedisArgument], arguments: [any RedisArgument]) async -> RedisReply? {
        do {
            return try await client.evalSHA(script, keys: keys, arguments: arguments)
        } catch let error as RedisError where error.code == .serverError {
            logger.warning("\(purpose): Redis refused its script", metadata: ["error": "\(error)"])
            return nil
        } catch {
            logger.debug("\(purpose): Redis unreachable, this replica's own state alone", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
