/// A Redis failure, with the context an operator needs: what was attempted, against which server, and
/// what Redis (or the socket) said.
///
/// A struct around a private code, so new kinds of failure do not break callers' `switch`es; equality
/// compares the code only, so tests can write `#expect(throws: RedisError.timeout)`-style checks.
public struct RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case invalidURL = "invalid URL"
            case connectFailed = "connect failed"
            case notConnected = "not connected"
            case connectionLost = "connection lost"
            case timeout = "timed out"
            case serverError = "server error"
            case protocolError = "protocol error"
            case shutDown = "client shut down"
            case unsupportedServer = "unsupported server"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The URL is not `redis://HOST:PORT[/DB]` or `rediss://HOST:PORT[/DB][?ssl_…]`.
        public static let invalidURL = Code(.invalidURL)
        /// No TCP connection (refused, unreachable), no TLS session (the server's certificate not trusted or not
        /// for its host, a client certificate missing or refused) or the AUTH/SELECT handshake failed.
        public static let connectFailed = Code(.connectFailed)
        /// The client is between connections (waiting out its reconnect backoff); the command was not sent.
        public static let notConnected = Code(.notConnected)
        /// The connection broke while the command was in flight: it may or may not have run.
        public static let connectionLost = Code(.connectionLost)
        /// No reply within the command timeout: the command may or may not have run.
        public static let timeout = Code(.timeout)
        /// Redis answered with an error reply (`ERR …`, `NOSCRIPT …`, `WRONGTYPE …`).
        public static let serverError = Code(.serverError)
        /// A reply this client cannot represent (unknown type, inconsistent lengths).
        public static let protocolError = Code(.protocolError)
        /// The client was shut down before the command got its reply.
        public static let shutDown = Code(.shutDown)
        /// The server is older than the client was told to accept (``RedisConfiguration/minimumServerVersion``), or
        /// would not say its version. Not transient: the client keeps refusing it on every reconnect.
        public static let unsupportedServer = Code(.unsupportedServer)

        public var description: String { value.rawValue }
    }

    public let code: Code
    /// What was being done: `connect`, or the command's name (`GET`, `EVALSHA`, …).
    public let operation: String
    /// The server, as `host:port/db`.
    public let address: String
    /// What Redis or hiredis said (the error reply, hiredis' `errstr`), or what this client found wrong.
    public let message: String

    public init(_ code: Code, operation: String, address: String, message: String) {
        self.code = code
        self.operation = operation
        self.address = address
        self.message = message
    }

    public var description: String {
        "Redis \(operation) on \(address): \(code): \(message)"
    }

    public static func == (lhs: RedisError, rhs: RedisError) -> Bool { lhs.code == rhs.code }
}
