/// What went wrong below the Redis protocol — in the socket or in TLS — before ``RedisConnection`` turns it into a
/// ``RedisError`` naming the server and the command.
struct RedisTransportFailure: Error {
    enum Kind {
        /// A socket timeout (or the connect deadline) ran out: the command may or may not have run.
        case timedOut
        /// Anything else: refused, reset, closed by the server, a TLS alert, a certificate not trusted.
        case failed
    }

    var kind: Kind
    /// What failed, in words an operator can act on (the server's address is added by the caller).
    var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A failure that is not a timeout.
    init(_ message: String) {
        self.init(.failed, message)
    }
}
