import Broker
import CRabbitMQ

/// Reading what rabbitmq-c decoded: a delivery's fields, and a reply's error as text.
extension AMQPConnection {
    static func delivery(tag: UInt64, redelivered: Bool, routingKey: amqp_bytes_t, message: amqp_message_t) -> AMQPDelivery {
        let properties = message.properties
        let hasHeaders = properties._flags & amqp_flags_t(AMQP_BASIC_HEADERS_FLAG) != 0
        let hasID = properties._flags & amqp_flags_t(AMQP_BASIC_MESSAGE_ID_FLAG) != 0
        let hasUser = properties._flags & amqp_flags_t(AMQP_BASIC_USER_ID_FLAG) != 0
        return AMQPDelivery(
            deliveryTag: tag, redelivered: redelivered, routingKey: AMQPTable.string(routingKey),
            body: AMQPTable.data(message.body), headers: hasHeaders ? AMQPTable.read(properties.headers) : [:],
            messageID: hasID ? AMQPTable.string(properties.message_id) : nil,
            userID: hasUser ? AMQPTable.string(properties.user_id) : nil)
    }

    static func describe(_ reply: amqp_rpc_reply_t) -> String {
        switch reply.reply_type {
        case AMQP_RESPONSE_NONE: return "no reply (missing RPC reply type)"
        case AMQP_RESPONSE_LIBRARY_EXCEPTION: return String(cString: amqp_error_string2(reply.library_error))
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            switch reply.reply.id {
            case AMQPMethod.connectionClose:
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                return "connection closed by the broker: \(close.reply_code) \(AMQPTable.string(close.reply_text))"
            case AMQPMethod.channelClose:
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                return "channel closed by the broker: \(close.reply_code) \(AMQPTable.string(close.reply_text))"
            default: return "broker error (method \(reply.reply.id))"
            }
        default: return "unknown reply"
        }
    }
}

/// AMQP 0-9-1 method ids (class << 16 | method), as in amqp_framing.h, whose cast macros Swift does not import.
enum AMQPMethod {
    static let connectionClose: amqp_method_number_t = 0x000A_0032
    static let channelClose: amqp_method_number_t = 0x0014_0028
    static let basicGetOk: amqp_method_number_t = 0x003C_0047
    static let basicReturn: amqp_method_number_t = 0x003C_0032
    static let basicAck: amqp_method_number_t = 0x003C_0050
    static let basicNack: amqp_method_number_t = 0x003C_0078
    static let basicCancel: amqp_method_number_t = 0x003C_001E
}
