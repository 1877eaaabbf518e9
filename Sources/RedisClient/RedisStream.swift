/// The byte stream to one Redis server: a TCP socket, with a TLS session on it for `rediss://`. Everything above
/// it — the command formatter, the reply reader, pipelining, timeouts — is the same for both.
///
/// Not thread-safe: one thread uses it (``RedisConnection``'s).
final class RedisStream {
    private let socket: RedisSocket
    /// Nil for `redis://`.
    private let tls: RedisTLSSession?

    /// Connects within `connectTimeout`; for `rediss://` the TLS handshake waits at most `connectTimeout` per socket
    /// read or write as well. Later reads and writes wait at most `commandTimeout` each.
    init(url: RedisURL, connectTimeout: Duration, commandTimeout: Duration) throws(RedisTransportFailure) {
        socket = try RedisSocket(host: url.host, port: url.port, timeout: connectTimeout)
        if let settings = url.tls {
            try socket.setTimeouts(connectTimeout)
            let context = try RedisTLSContext(settings)
            tls = try RedisTLSSession(context: context, socket: socket, host: url.host, settings: settings)
        } else {
            tls = nil
        }
        try socket.setTimeouts(commandTimeout)
    }

    deinit {
        close()
    }

    /// Ends the TLS session (close_notify, not waited for) and closes the socket.
    func close() {
        tls?.shutdown()
        socket.close()
    }

    /// Writes all of `bytes`.
    func send(_ bytes: [UInt8]) throws(RedisTransportFailure) {
        let result = bytes.withUnsafeBytes { buffer -> Result<Void, RedisTransportFailure> in
            do throws(RedisTransportFailure) {
                if let tls { try tls.send(buffer) } else { try socket.send(buffer) }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Reads what has arrived into `buffer`, waiting up to the command timeout; 0 when the server ended the stream.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(RedisTransportFailure) -> Int {
        if let tls { try tls.receive(into: buffer) } else { try socket.receive(into: buffer) }
    }

    /// With no reply outstanding, whether the server closed the connection (restart, its `timeout` setting, `CLIENT
    /// KILL`): a healthy stream then has nothing to read. No round trip; under TLS, records that carry no data (session
    /// tickets) are consumed and do not count.
    func isDeadWhileIdle() -> Bool {
        guard socket.isReadableOrHungUp() else { return false }
        return tls?.isDeadWhileIdle() ?? true
    }
}
