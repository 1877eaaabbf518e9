extension AMQPMessage {
    /// AMQP 0-9-1 short strings (exchange, routing key, message id, content type, table keys) hold at most
    /// 255 bytes. rabbitmq-c writes a longer one as a broken frame and the broker closes the connection,
    /// failing every other tenant's message on it; such a publish must fail alone, before it is sent.
    ///
    /// - Returns: what does not fit, or nil when the message can be sent.
    package var shortStringProblem: String? {
        let fields = [("exchange", exchange), ("routing key", routingKey), ("message id", messageID ?? ""), ("user id", userID ?? ""),
            ("content type", contentType)]
            + headers.map { ("header name", $0.0) }
        guard let (name, value) = fields.first(where: { $0.1.utf8.count > Self.shortStringLimit }) else { return nil }
        return "\(name) '\(value.prefix(40))…' has \(value.utf8.count) bytes, more than AMQP's \(Self.shortStringLimit)"
    }

    static let shortStringLimit = 255

    /// `id` as the message-id property when it fits; an id of any length from a publisher, an API client or
    /// Genesys still travels whole in the body.
    package static func messageIDProperty(_ id: String?) -> String? {
        id.flatMap { $0.utf8.count <= shortStringLimit ? $0 : nil }
    }
}
