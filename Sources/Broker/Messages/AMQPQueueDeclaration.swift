/// A queue the client consumes besides the ingress queue, declared with its arguments.
public struct AMQPSubscription: Sendable, Equatable {
    public var queue: AMQPQueueDeclaration
    public var prefetch: UInt16
    /// The exchange bindings the queue is given when it is declared; a binding dropped from a changed subscription
    /// is removed from the broker.
    public var bindings: [AMQPBinding]

    public init(queue: AMQPQueueDeclaration, prefetch: UInt16, bindings: [AMQPBinding] = []) {
        self.queue = queue
        self.prefetch = max(prefetch, 1)
        self.bindings = bindings
    }
}

/// A queue's binding to an exchange, by routing key.
public struct AMQPBinding: Sendable, Hashable {
    public var exchange: String
    public var routingKey: String

    public init(exchange: String, routingKey: String) {
        self.exchange = exchange
        self.routingKey = routingKey
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
