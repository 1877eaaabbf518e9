package import Broker

extension QueueTopology {
    /// Declares everything on `connection`; safe to repeat (an existing queue with other arguments is an error
    /// that names it).
    package func declare(on connection: AMQPConnection, channel: UInt16) throws(AMQPError) {
        try connection.declareExchange(deadLetterExchange, type: "fanout", channel: channel)
        try connection.declareQueue(deadLetterQueue, arguments: [], channel: channel)
        try connection.bindQueue(deadLetterQueue, exchange: deadLetterExchange, routingKey: "", channel: channel)
        try connection.declareQueue(outbound, arguments: outboundDeclaration.table, channel: channel)
        try connection.declareExchange(unroutedExchange, type: "fanout", channel: channel)
        try connection.bindQueue(outbound, exchange: unroutedExchange, routingKey: "", channel: channel)
        try connection.declareExchange(
            orgExchange, type: "topic", arguments: [("alternate-exchange", .string(unroutedExchange))], channel: channel)
        try connection.declareQueue(parkedQueue, arguments: [], channel: channel)
        for tier in retryTiers {
            try connection.declareQueue(retryQueue(for: tier), arguments: retryQueueArguments(for: tier), channel: channel)
        }
        try connection.declareExchange(statusExchange, type: "topic", channel: channel)
        try connection.declareExchange(inboundExchange, type: "topic", channel: channel)
    }
}
