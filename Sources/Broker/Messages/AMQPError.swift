/// A broker or connection failure, with what the gateway was doing.
public struct AMQPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done: "login", "declare queue genesys.outbound", ...
    public var operation: String
    public var message: String

    public init(_ operation: String, _ message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String { "AMQP \(operation): \(message)" }
}
