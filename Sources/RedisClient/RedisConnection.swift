import Foundation

/// One blocking connection to one Redis server, plain (`redis://`) or TLS (`rediss://`).
///
/// Built from parts that each own one C handle: ``RedisStream`` (the socket and, for TLS, the OpenSSL session),
/// hiredis' command formatter (``RedisCommand/wireBytes``) and ``RedisReplyReader`` (hiredis' RESP parser). hiredis
/// 0.14 has no TLS, so its own socket code is not used; its parser and formatter are (see docs/security.md, "TLS to Redis").
///
/// Not thread-safe, and every call blocks until Redis answers or the command timeout passes — use it from one
/// dedicated thread only (``RedisClient`` does). Once a call fails at the transport level the stream cannot be
/// resynchronised, so the connection closes it and reports ``isBroken``; the owner then makes a new one.
public final class RedisConnection {
    private var stream: RedisStream?
    private let reader: RedisReplyReader
    /// Where bytes from the server land before the reader parses them; reused for every read.
    private var readBuffer = [UInt8](repeating: 0, count: 16 * 1024)
    /// The server, for errors and logs.
    public let url: RedisURL
    /// The server's version, when the connection was asked to check it (`minimumServerVersion`).
    public private(set) var serverVersion: RedisServerVersion?

    /// Connects (and, for `rediss://`, shakes hands and verifies the server), sets the command timeout, then
    /// authenticates, selects the database, names the client and checks the server's version, in one round trip.
    /// - Parameters:
    ///   - url: the server; its ``RedisURL/user`` is the ACL user `AUTH` names, its ``RedisURL/tls`` the TLS set-up.
    ///   - password: sent with `AUTH` when given (resolved by the caller from its reference).
    ///   - clientName: set with `CLIENT SETNAME` so `CLIENT LIST` shows who is connected; nil to skip.
    ///   - connectTimeout: bound on the TCP connect and on each read or write of the TLS handshake.
    ///   - commandTimeout: bound on every later send and read (socket timeouts, so per system call).
    ///   - minimumServerVersion: refuse a server older than this (`unsupportedServer`); nil to skip the check.
    public init(
        url: RedisURL, password: String? = nil, clientName: String? = nil,
        connectTimeout: Duration, commandTimeout: Duration, minimumServerVersion: RedisServerVersion? = nil
    ) throws(RedisError) {
        self.url = url
        do {
            reader = try RedisReplyReader()
        } catch {
            throw RedisError(.connectFailed, operation: "connect", address: url.description, message: error.message)
        }
        do {
            stream = try RedisStream(url: url, connectTimeout: connectTimeout, commandTimeout: commandTimeout)
        } catch {
            throw RedisError(
                error.kind == .timedOut ? .timeout : .connectFailed, operation: "connect", address: url.description,
                message: error.message)
        }
        var handshake: [RedisCommand] = []
        switch (url.user, password) {
        case (let user?, let password?): handshake.append(RedisCommand("AUTH", user, password))
        case (nil, let password?): handshake.append(RedisCommand("AUTH", password))
        case (let user?, nil):
            close()
            throw RedisError(
                .connectFailed, operation: "AUTH", address: url.description,
                message: "the ACL user \(user) needs a password (AUTH user password)")
        case (nil, nil): break
        }
        if url.database != 0 { handshake.append(RedisCommand("SELECT", url.database)) }
        if let clientName { handshake.append(RedisCommand("CLIENT", "SETNAME", clientName)) }
        // HELLO (Redis 6+) answers the version to any user; INFO is in ACL's @dangerous category and may be denied.
        if minimumServerVersion != nil { handshake.append(RedisCommand("HELLO", 2)) }
        // Over TLS one round trip proves the session works end to end: a server that wants a client certificate
        // says so only after the handshake, and the error belongs to the connect, not to the first caller.
        if handshake.isEmpty, url.tls != nil { handshake.append(RedisCommand("PING")) }
        for (command, result) in zip(handshake, pipeline(handshake)) {
            let reply: RedisReply
            switch result {
            case .success(.error(let text)) where command.name == "HELLO":
                reply = .error(text)
            case .success(.error(let text)):
                close()
                throw RedisError(.connectFailed, operation: command.name, address: url.description, message: text)
            case .success(let value):
                reply = value
            case .failure(let error):
                close()
                throw RedisError(
                    error.code == .timeout ? .timeout : .connectFailed, operation: command.name, address: url.description,
                    message: error.message)
            }
            if command.name == "HELLO", let minimumServerVersion {
                try checkVersion(helloReply: reply, minimum: minimumServerVersion)
            }
        }
    }

    deinit {
        close()
    }

    /// True once the stream is gone (closed, or failed at the transport level).
    public var isBroken: Bool { stream == nil }

    /// Closes the stream; later calls fail with `connectionLost`.
    public func close() {
        stream?.close()
        stream = nil
    }

    /// Whether the server closed the connection while it was idle (restart, `timeout` setting, `CLIENT
    /// KILL`): with no reply outstanding a healthy stream has nothing to read, so a readable or hung-up one
    /// is dead. Closes it then. A zero-timeout `poll`, no round trip.
    public func closedWhileIdle() -> Bool {
        guard let stream else { return true }
        guard stream.isDeadWhileIdle() else { return false }
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
        guard let stream else { return commands.map { .failure(lost($0, "connection is closed")) } }
        var bytes: [UInt8] = []
        for command in commands {
            guard let wire = command.wireBytes else {
                // Nothing is written: the connection stays usable.
                let error = RedisError(.protocolError, operation: command.name, address: url.description, message: "bad argument count")
                return commands.map { .failure(error.renamed($0)) }
            }
            bytes.append(contentsOf: wire)
        }
        guard !commands.isEmpty else { return [] }
        do {
            try stream.send(bytes)
        } catch {
            close()
            return commands.map { .failure(transportError(error, $0)) }
        }
        var results: [Result<RedisReply, RedisError>] = []
        results.reserveCapacity(commands.count)
        for command in commands {
            switch readReply(for: command, from: stream) {
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

    /// Reads until the reader has the next complete reply.
    private func readReply(for command: RedisCommand, from stream: RedisStream) -> Result<RedisReply, RedisError> {
        while true {
            do throws(RedisReplyReader.Malformed) {
                if let reply = try reader.next() { return .success(reply) }
            } catch {
                return .failure(malformed(command, error))
            }
            let received = readBuffer.withUnsafeMutableBytes { buffer -> Result<Int, RedisTransportFailure> in
                do throws(RedisTransportFailure) {
                    return .success(try stream.receive(into: buffer))
                } catch {
                    return .failure(error)
                }
            }
            let count: Int
            switch received {
            case .success(let value): count = value
            case .failure(let failure): return .failure(transportError(failure, command))
            }
            guard count > 0 else { return .failure(lost(command, "the server closed the connection")) }
            let fed = readBuffer.withUnsafeBytes { buffer -> RedisReplyReader.Malformed? in
                do throws(RedisReplyReader.Malformed) {
                    try reader.feed(UnsafeRawBufferPointer(rebasing: buffer.prefix(count)))
                    return nil
                } catch {
                    return error
                }
            }
            if let fed { return .failure(malformed(command, fed)) }
        }
    }

    private func malformed(_ command: RedisCommand, _ error: RedisReplyReader.Malformed) -> RedisError {
        RedisError(.protocolError, operation: command.name, address: url.description, message: error.message)
    }

    /// Refuses a server older than `minimum`. Redis before 6.0 does not know HELLO; a user HELLO is denied to is asked
    /// with INFO instead.
    private func checkVersion(helloReply: RedisReply, minimum: RedisServerVersion) throws(RedisError) {
        var version = RedisServerVersion.fromHello(helloReply)
        if version == nil, let text = helloReply.errorMessage {
            if text.lowercased().contains("unknown command") {
                close()
                throw RedisError(
                    .unsupportedServer, operation: "HELLO", address: url.description,
                    message: "the server is older than Redis 6.0 (it does not know HELLO); \(minimum) or newer is needed")
            }
            let info = try send(RedisCommand("INFO", "server"))
            version = RedisServerVersion.fromInfo(info)
        }
        guard let version else {
            close()
            throw RedisError(
                .unsupportedServer, operation: "HELLO", address: url.description,
                message: "cannot tell the server's version (neither HELLO nor INFO server answered it); \(minimum) or newer is needed")
        }
        serverVersion = version
        guard version >= minimum else {
            close()
            throw RedisError(
                .unsupportedServer, operation: "HELLO", address: url.description,
                message: "Redis \(version) is older than \(minimum), the oldest version this client accepts")
        }
    }

    private func lost(_ command: RedisCommand, _ why: String) -> RedisError {
        RedisError(.connectionLost, operation: command.name, address: url.description, message: why)
    }

    private func transportError(_ failure: RedisTransportFailure, _ command: RedisCommand) -> RedisError {
        RedisError(
            failure.kind == .timedOut ? .timeout : .connectionLost, operation: command.name, address: url.description,
            message: failure.message)
    }
}

extension RedisError {
    /// The same failure, reported for another command of the same pipeline.
    fileprivate func renamed(_ command: RedisCommand) -> RedisError {
        RedisError(code, operation: command.name, address: address, message: message)
    }
}
