/// A queue the client consumes besides the ingress queue, declared with its arguments.
public struct AMQPSubscription: Sendable, Equatable {
    public var queue: AMQPQueueDeclaration
    public var prefetch: UInt16

    public init(queue: AMQPQueueDeclaration, prefetch: UInt16) {
        self.queue = queue
        self.prefetch = max(prefetch, 1)
    }
}

/// A durable queue and its `x-` arguments.
public struct AMQPQueueDeclaration: Sendable, Equatable {
    public var name: String
    public var arguments: [AMQPArgument]

    public init(name: String, arguments: [AMQPArgument]) {
        self.name = name
        self.arguments = arguments
    }

    package var table: [(String, AMQPFieldValue)] { arguments.map { ($0.key, $0.value) } }
}

/// One entry of an AMQP arguments or headers table.
public struct AMQPArgument: Sendable, Equatable {
    public var key: String
    public var value: AMQPFieldValue

    public init(_ key: String, _ value: AMQPFieldValue) {
        self.key = key
        self.value = value
    }
}
