/// A Lua script loaded into Redis' script cache, run by its SHA1 with `EVALSHA` (the source is sent once,
/// not with every call).
public struct RedisScript: Sendable, Hashable {
    /// The Lua source, kept to load it again when Redis has forgotten it (restart, `SCRIPT FLUSH`).
    public let source: String
    /// The hex SHA1 of the source, as Redis computes it on `SCRIPT LOAD`.
    public let sha1: String

    /// A script whose SHA1 the caller computed itself: ``RedisClient/evalSHA(_:keys:arguments:)`` then
    /// works without a prior `SCRIPT LOAD` (the first `NOSCRIPT` loads it).
    public init(source: String, sha1: String) {
        self.source = source
        self.sha1 = sha1
    }
}

extension RedisClient {
    /// Loads a script into Redis' script cache (`SCRIPT LOAD`).
    /// - Throws: ``RedisError`` with `serverError` when Redis refuses it (a syntax error, for example).
    public func script(load source: String) async throws -> RedisScript {
        let reply = try await send(RedisCommand("SCRIPT", "LOAD", source))
        switch reply {
        case .bulk, .status:
            guard let sha1 = reply.string, !sha1.isEmpty else { break }
            return RedisScript(source: source, sha1: sha1)
        case .error(let message):
            throw RedisError(.serverError, operation: "SCRIPT LOAD", address: url.description, message: message)
        default:
            break
        }
        throw RedisError(
            .protocolError, operation: "SCRIPT LOAD", address: url.description, message: "unexpected reply \(reply)")
    }

    /// Runs a loaded script with `EVALSHA`. When Redis answers `NOSCRIPT` (its cache was flushed, or it
    /// restarted), the script is sent again in full with `EVAL`, which runs it and puts it back in the cache
    /// for the next `EVALSHA`. (`SCRIPT LOAD` then `EVALSHA` would be two round trips, and a flush landing
    /// between them would fail the call again.)
    ///
    /// Unlike ``send(_:)``, an error reply throws: a failing script is a bug or bad input, not data.
    /// - Throws: ``RedisError`` — `serverError` carries Redis' error text.
    public func evalSHA(
        _ script: RedisScript, keys: [any RedisArgument] = [], arguments: [any RedisArgument] = []
    ) async throws -> RedisReply {
        let parameters: [any RedisArgument] = [keys.count] + keys + arguments
        var operation = "EVALSHA"
        var reply = try await send(RedisCommand(operation, arguments: [script.sha1] + parameters))
        if let message = reply.errorMessage, message.hasPrefix("NOSCRIPT") {
            operation = "EVAL"
            reply = try await send(RedisCommand(operation, arguments: [script.source] + parameters))
        }
        if let message = reply.errorMessage {
            throw RedisError(.serverError, operation: operation, address: url.description, message: message)
        }
        return reply
    }
}
