import CRabbitMQ
import Broker

/// Declaring, looking up, binding and deleting exchanges and queues on one channel (the topology's calls; the
/// message calls are in ``AMQPConnection``). Each throws what the broker answered when it refused.
extension AMQPConnection {
    func declareExchange(_ name: String, type: String, arguments: [(String, AMQPFieldValue)] = [], channel: UInt16) throws(AMQPError) {
        withBytes(name, type) { name, type in
            AMQPTable.with(arguments) { table in
                _ = amqp_exchange_declare(state, channel, name, type, 0, 1, 0, 0, table)
            }
        }
        try check("declare exchange \(name)")
    }

    /// Declares a durable queue (idempotent with the same arguments); returns the messages ready in it.
    @discardableResult
    func declareQueue(_ name: String, arguments: [(String, AMQPFieldValue)], channel: UInt16) throws(AMQPError) -> Int {
        let ready = withBytes(name) { name in
            AMQPTable.with(arguments) { table in
                amqp_queue_declare(state, channel, name, 0, 1, 0, 0, table).map { Int($0.pointee.message_count) }
            }
        }
        try check("declare queue \(name)")
        return ready ?? 0
    }

    /// The messages ready in the existing queue `name` (a passive declare: nothing is created or changed).
    func readyCount(ofQueue name: String, channel: UInt16) throws(AMQPError) -> Int {
        let ready = withBytes(name) { name in
            amqp_queue_declare(state, channel, name, 1, 0, 0, 0, amqp_empty_table).map { Int($0.pointee.message_count) }
        }
        try check("look up queue \(name)")
        return ready ?? 0
    }

    /// Deletes the queue `name` (and its messages); its consumers are cancelled by the broker.
    func deleteQueue(_ name: String, channel: UInt16) throws(AMQPError) {
        withBytes(name) { name in
            _ = amqp_queue_delete(state, channel, name, 0, 0)
        }
        try check("delete queue \(name)")
    }

    func bindQueue(_ queue: String, exchange: String, routingKey: String, channel: UInt16) throws(AMQPError) {
        withBytes(queue, exchange, routingKey) { queue, exchange, routingKey in
            _ = amqp_queue_bind(state, channel, queue, exchange, routingKey, amqp_empty_table)
        }
        try check("bind \(queue) to \(exchange)")
    }

    /// Removes a binding (the broker answers unbind-ok for one that does not exist).
    func unbindQueue(_ queue: String, exchange: String, routingKey: String, channel: UInt16) throws(AMQPError) {
        withBytes(queue, exchange, routingKey) { queue, exchange, routingKey in
            _ = amqp_queue_unbind(state, channel, queue, exchange, routingKey, amqp_empty_table)
        }
        try check("unbind \(queue) from \(exchange)")
    }
}
