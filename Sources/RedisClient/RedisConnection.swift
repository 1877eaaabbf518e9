import CHiredis
import CRedisShims
import Foundation

/// The one owner of a hiredis `redisContext`: a blocking TCP connection to one Redis server.
///
/// Not thread-safe, like the context it wraps, and every call blocks until Redis answers or the command
/// timeout passes — use it from one dedicated thread only (``RedisClient`` does). Once a call fails at the
/// transport level the context is unusable (hiredis leaves it in an error state), so the connection frees it
/// and reports ``isBroken``; the owner then makes a new one.
///
/// This is the only file that touches hiredis' pointers; everything it returns is copied into Swift values.
public final class RedisConnection {
    private var context: UnsafeMutablePointer<redisContext>?
    /// The server, for errors and logs.
    public let url: RedisURL

    /// Connects, sets the command timeout, then authenticates and selects the database.
    /// - Parameters:
    ///   - url: the server.
    ///   - password: sent with `AUTH` when given (resolved by the caller from its reference).
    ///   - clientName: set with `CLIENT SETNAME` so `CLIENT LIST` shows who is connected; nil to skip.
    ///   - connectTimeout: bound on the TCP connect.
    ///   - commandTimeout: bound on every later send and read (socket timeouts, so per system call).
    public init(
        url: RedisURL, password: String? = nil, clientName: String? = nil,
        connectTimeout: Duration, commandTimeout: Duration
    ) throws(RedisError) {
        self.url = url
        let connected = url.host.withCString { host in
            redisConnectWithTimeout(host, Int32(clamping: url.port), Self.socketTimeout(connectTimeout))
        }
        guard let connected else {
            throw RedisError(.connectFailed, operation: "connect", address: url.description, message: "out of memory")
        }
        context = connected
        if connected.pointee.err != 0 {
            let message = Self.errorText(connected)
            close()
            throw RedisError(.connectFailed, operation: "connect", address: url.description, message: message)
        }
        guard redisSetTimeout(connected, Self.socketTimeout(commandTimeout)) == REDIS_OK else {
            let message = Self.errorText(connected)
            close()
            throw RedisError(.connectFailed, operation: "set timeout", address: url.description, message: message)
        }
        var handshake: [RedisCommand] = []
        if let password { handshake.append(RedisCommand("AUTH", password)) }
        if url.database != 0 { handshake.append(RedisCommand("SELECT", url.database)) }
        if let clientName { handshake.append(RedisCommand("CLIENT", "SETNAME", clientName)) }
        for (command, result) in zip(handshake, pipeline(handshake)) {
            let failure: String? = switch result {
            case .success(.error(let text)): text
            case .success: nil
            case .failure(let error): error.message
            }
            if let failure {
                close()
                throw RedisError(.connectFailed, operation: command.name, address: url.description, message: failure)
            }
        }
    }

    deinit {
        close()
    }

    /// True once the context is gone (closed, or failed at the transport level).
    public var isBroken: Bool { context == nil }

    /// Frees the context; later calls fail with `connectionLost`.
    public func close() {
        if let context { redisFree(context) }
        context = nil
    }

    /// Whether the server closed the connection while it was idle (restart, `timeout` setting, `CLIENT
    /// KILL`): with no reply outstanding a healthy socket has nothing to read, so a readable or hung-up one
    /// is dead. Closes it then. A zero-timeout `poll`, no round trip.
    public func closedWhileIdle() -> Bool {
        guard let context else { return true }
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) != 0 else { return false }
        close()
        return true
    }

    /// Sends one command and reads its reply. An error reply from Redis is a `.error` reply, not a throw.
    public func send(_ command: RedisCommand) throws(RedisError) -> RedisReply {
        guard let result = pipeline([command]).first else {
            throw RedisError(.protocolError, operation: command.name, address: url.description, message: "no reply")
        }
        return try result.get()
    }

    /// Sends every command in one write, then reads as many replies, in order: one round trip for all.
    ///
    /// Always returns one result per command. When the transport fails at reply `k`, the replies before `k`
    /// are kept and `k` and later fail with the same error (the connection is then broken).
    public func pipeline(_ commands: [RedisCommand]) -> [Result<RedisReply, RedisError>] {
        var results: [Result<RedisReply, RedisError>] = []
        results.reserveCapacity(commands.count)
        var appended = 0
        for command in commands {
            if let error = append(command) {
                // The commands before this one are buffered but never flushed: the context is dropped.
                close()
                return commands.map { .failure(error.renamed($0)) }
            }
            appended += 1
        }
        for command in commands.prefix(appended) {
            switch readReply(for: command) {
            case .success(let reply):
                results.append(.success(reply))
            case .failure(let error):
                close()
                results.append(contentsOf: commands.dropFirst(results.count).map { .failure(error.renamed($0)) })
                return results
            }
        }
        return results
    }

    /// Buffers one command in the context's output buffer (written by the first read).
    private func append(_ command: RedisCommand) -> RedisError? {
        guard let context else { return lost(command, "connection is closed") }
        guard !command.arguments.isEmpty, let count = Int32(exactly: command.arguments.count) else {
            return RedisError(.protocolError, operation: command.name, address: url.description, message: "bad argument count")
        }
        // One contiguous buffer for every argument, plus a trailing byte so its base address is never nil.
        var flat: [UInt8] = []
        var offsets: [Int] = []
        for argument in command.arguments {
            offsets.append(flat.count)
            flat.append(contentsOf: argument)
        }
        flat.append(0)
        let lengths = command.arguments.map(\.count)
        let status = flat.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return REDIS_ERR }
            let raw = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
            var argv: [UnsafePointer<CChar>?] = offsets.map { raw + $0 }
            return redisAppendCommandArgv(context, count, &argv, lengths)
        }
        return status == REDIS_OK ? nil : transportError(command)
    }

    /// Reads the next reply, copies it out, frees hiredis' tree.
    private func readReply(for command: RedisCommand) -> Result<RedisReply, RedisError> {
        guard let context else { return .failure(lost(command, "connection is closed")) }
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else { return .failure(transportError(command)) }
        defer { freeReplyObject(raw) }
        do throws(RedisError) {
            return .success(try convert(raw.assumingMemoryBound(to: redisReply.self), command: command))
        } catch {
            return .failure(error)
        }
    }

    /// Copies a reply tree. The reply is untrusted input: every length and pointer is checked, nothing traps.
    private func convert(_ reply: UnsafePointer<redisReply>, command: RedisCommand) throws(RedisError) -> RedisReply {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING: return .bulk(try bytes(node, command: command))
        case REDIS_REPLY_STATUS: return .status(String(decoding: try bytes(node, command: command), as: UTF8.self))
        case REDIS_REPLY_ERROR: return .error(String(decoding: try bytes(node, command: command), as: UTF8.self))
        case REDIS_REPLY_INTEGER: return .integer(node.integer)
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_ARRAY:
            guard let count = Int(exactly: node.elements) else { throw malformed(command, "array too long") }
            if count == 0 { return .array([]) }
            guard let elements = node.element else { throw malformed(command, "array without elements") }
            var converted: [RedisReply] = []
            converted.reserveCapacity(count)
            for child in UnsafeBufferPointer(start: elements, count: count) {
                guard let child else { throw malformed(command, "missing array element") }
                converted.append(try convert(child, command: command))
            }
            return .array(converted)
        default:
            throw malformed(command, "unknown reply type \(node.type)")
        }
    }

    private func bytes(_ node: redisReply, command: RedisCommand) throws(RedisError) -> [UInt8] {
        guard let count = Int(exactly: node.len) else { throw malformed(command, "string too long") }
        if count == 0 { return [] }
        guard let start = node.str else { throw malformed(command, "string without bytes") }
        return Array(UnsafeRawBufferPointer(start: start, count: count))
    }

    private func malformed(_ command: RedisCommand, _ why: String) -> RedisError {
        RedisError(.protocolError, operation: command.name, address: url.description, message: why)
    }

    private func lost(_ command: RedisCommand, _ why: String) -> RedisError {
        RedisError(.connectionLost, operation: command.name, address: url.description, message: why)
    }

    /// The error hiredis recorded on the context. A read that hits the socket timeout is an I/O error with
    /// EAGAIN; hiredis keeps `errno`'s text in `errstr`, so both are checked.
    private func transportError(_ command: RedisCommand) -> RedisError {
        let savedErrno = errno
        guard let context else { return lost(command, "connection is closed") }
        let message = Self.errorText(context)
        let code: RedisError.Code
        switch context.pointee.err {
        case REDIS_ERR_IO where savedErrno == EAGAIN || savedErrno == EWOULDBLOCK
            || message.contains("temporarily unavailable"):
            code = .timeout
        case REDIS_ERR_PROTOCOL: code = .protocolError
        default: code = .connectionLost
        }
        return RedisError(code, operation: command.name, address: url.description, message: message)
    }

    private static func errorText(_ context: UnsafePointer<redisContext>) -> String {
        guard let text = crs_context_error(context) else { return "unknown error" }
        let message = String(cString: text)
        return message.isEmpty ? "unknown error" : message
    }

    /// A socket timeout; negative durations count as zero, which hiredis takes as "no timeout", so they are
    /// raised to one millisecond.
    private static func socketTimeout(_ duration: Duration) -> timeval {
        let parts = max(duration, .milliseconds(1)).components
        return timeval(tv_sec: Int(parts.seconds), tv_usec: Int(parts.attoseconds / 1_000_000_000_000))
    }
}

extension RedisError {
    /// The same failure, reported for another command of the same pipeline.
    fileprivate func renamed(_ command: RedisCommand) -> RedisError {
        RedisError(code, operation: command.name, address: address, message: message)
    }
}
