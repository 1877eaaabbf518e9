package import Broker
import CGatewayShims
import CRabbitMQ
import Foundation
package import Logging

/// One rabbitmq-c connection. Blocking, and not thread-safe: exactly one thread (``AMQPClient``'s) uses
/// it. Owns `amqp_connection_state_t` and destroys it in `deinit`.
package final class AMQPConnection {
    /// The connection; used by this type's extensions only (``AMQPConnection+Topology``).
    let state: amqp_connection_state_t
    private var open = false
    /// The largest frame asked for: RabbitMQ's default. A content-header frame (the properties, headers
    /// included) is never split, and any producer may publish headers up to the broker's limit; a smaller
    /// `frame_max` here would make rabbitmq-c refuse such a delivery and drop the connection every tenant shares,
    /// again at each redelivery. (rabbitmq-c's per-channel decode pools have pages of this size: 13.6 MB at
    /// 100 org queues, the price of that.)
    static let frameMax: Int32 = 131_072

    /// The channel of the last delivery read, whose pool is freed first (``releaseBuffers()``).
    private var lastEventChannel: UInt16?
    /// Whether anything may have been decoded into rabbitmq-c's channel pools since they were last freed: not
    /// after a wait that timed out. Freeing walks every channel's pool, so an idle connection with 1,000 org
    /// channels that freed them on each of its 500 waits a second spent a tenth of a core doing it.
    private var decodedSinceRelease = true
    /// The TLS socket's handshake report, for an `amqps://` URL. Released after `deinit` has destroyed the state, so no
    /// OpenSSL callback can write into it once it is freed. (Set later than `state`, with a default so that a failed
    /// `init` still runs `deinit`.)
    private var tls: AMQPTLSSocket?

    /// What arrives while waiting on the connection.
    package enum Event {
        /// A message for the consumer `consumerTag` on `channel` (channels may carry several consumers).
        case delivery(AMQPDelivery, channel: UInt16, consumerTag: String)
        /// Publisher confirm on the publish channel: `ok` false for a nack.
        case confirm(tag: UInt64, multiple: Bool, ok: Bool)
        /// A mandatory message could not be routed; `publishTag` is the tag ``publish(_:channel:tag:)`` gave it.
        /// Its confirm follows.
        case returned(publishTag: UInt64?, replyText: String)
        /// The broker cancelled our consumer `consumerTag` on `channel` (queue deleted, say).
        case consumerCancelled(consumerTag: String, channel: UInt16)
        case timeout
    }

    /// The header each publish carries with its confirm tag, so a returned message can be matched to it
    /// (basic.return names no delivery tag).
    static let publishTagHeader = "x-ggw-publish-tag"

    /// Connects (over TLS for `amqps://`, ``AMQPURL``), logs in (SASL PLAIN, or EXTERNAL with a client certificate)
    /// and negotiates heartbeats. On failure `deinit` (which Swift runs for a class whose stored properties were all
    /// set) destroys the connection state.
    /// - Parameter logger: warns of a TLS connection that does not verify the broker (`verify=verify_none`).
    package init(
        url: String, heartbeatSeconds: Int, connectTimeout: Duration, logger: Logger = Logger(label: "genesys-gateway.amqp")
    ) throws(AMQPError) {
        state = amqp_new_connection()
        let parsed: AMQPURL
        do {
            parsed = try AMQPURL(parsing: url)
        } catch {
            throw AMQPError("parse URL", error.description)
        }
        var info = amqp_connection_info()
        let urlCopy = strdup(parsed.withoutQuery)
        defer { free(urlCopy) }
        guard amqp_parse_url(urlCopy, &info) == AMQP_STATUS_OK.rawValue, (info.ssl != 0) == (parsed.tls != nil) else {
            throw AMQPError("parse URL", "not an amqp:// or amqps:// URL")
        }
        let host = String(cString: info.host)
        // The broker as errors and logs name it: never the URL, which holds the password.
        let address = host.contains(":") ? "[\(host)]:\(info.port)" : "\(host):\(info.port)"
        var timeout = timeval(
            tv_sec: Int(connectTimeout.components.seconds), tv_usec: Int(connectTimeout.components.attoseconds / 1_000_000_000_000))
        if let settings = parsed.tls {
            if settings.verification == .verifyNone {
                logger.warning(
                    "TLS to RabbitMQ without checking the broker's certificate or host name (verify=verify_none)",
                    metadata: ["amqp.address": "\(address)"])
            }
            let tls = try AMQPTLSSocket(state: state, settings: settings, host: host, address: address)
            self.tls = tls
            try tls.open(host: host, port: info.port, timeout: &timeout)
        } else {
            guard let socket = amqp_tcp_socket_new(state) else {
                throw AMQPError("connect", "cannot create a socket")
            }
            let status = amqp_socket_open_noblock(socket, info.host, info.port, &timeout)
            guard status == AMQP_STATUS_OK.rawValue else {
                throw AMQPError("connect to \(address)", String(cString: amqp_error_string2(status)))
            }
        }
        let reply: amqp_rpc_reply_t
        switch parsed.authMechanism {
        case .plain:
            reply = cgs_amqp_login_plain(state, info.vhost, 0, Self.frameMax, Int32(heartbeatSeconds), info.user, info.password)
        case .external:
            // RabbitMQ takes the user from the certificate and ignores this identity; rabbitmq-c needs one that is not empty.
            reply = cgs_amqp_login_external(state, info.vhost, 0, Self.frameMax, Int32(heartbeatSeconds), info.user)
        }
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
            // A refusal by the broker (ACCESS_REFUSED) says enough; a broken connection may be TLS refusing the client.
            let fromTLS = reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION ? tls?.loginFailureDetail() : nil
            let detail = fromTLS.map { ": \($0)" } ?? ""
            throw AMQPError("login to \(address)", Self.describe(reply) + detail)
        }
        open = true
    }

    deinit {
        // connection.close waits for the broker's close-ok: only worth it on a healthy connection.
        if open {
            amqp_connection_close(state, AMQP_REPLY_SUCCESS)
        }
        amqp_destroy_connection(state)
    }

    /// Records that the connection is unusable and returns the error to throw.
    private func failure(_ operation: String, _ message: String) -> AMQPError {
        open = false
        return AMQPError(operation, message)
    }

    package func openChannel(_ channel: UInt16) throws(AMQPError) {
        amqp_channel_open(state, channel)
        try check("open channel \(channel)")
    }

    func qos(prefetch: UInt16, channel: UInt16) throws(AMQPError) {
        amqp_basic_qos(state, channel, 0, prefetch, 0)
        try check("set prefetch")
    }

    /// Starts a consumer on `channel` with the tag its deliveries will carry (unique on the channel). Its
    /// prefetch is the one the channel's last ``qos(prefetch:channel:)`` set.
    func consume(queue: String, channel: UInt16, consumerTag: String) throws(AMQPError) {
        withBytes(queue, consumerTag) { queue, tag in
            _ = amqp_basic_consume(state, channel, queue, tag, 0, 0, 0, amqp_empty_table)
        }
        try check("consume \(queue)")
    }

    /// Stops the consumer `consumerTag` on `channel`; its unacked deliveries stay ours to ack.
    func cancelConsumer(_ consumerTag: String, channel: UInt16) throws(AMQPError) {
        withBytes(consumerTag) { tag in
            _ = amqp_basic_cancel(state, channel, tag)
        }
        try check("cancel consumer \(consumerTag) on channel \(channel)")
    }

    /// The highest channel number this connection may open, as negotiated at login.
    var channelMax: UInt16 {
        let negotiated = amqp_get_channel_max(state)
        return negotiated > 0 ? UInt16(clamping: negotiated) : UInt16.max
    }

    package func confirmSelect(channel: UInt16) throws(AMQPError) {
        amqp_confirm_select(state, channel)
        try check("enable publisher confirms")
    }

    /// Publishes persistently; the confirm arrives later as an ``Event/confirm(tag:multiple:ok:)``, after an
    /// ``Event/returned(publishTag:replyText:)`` when a mandatory message could not be routed.
    /// - Parameter tag: the publish's confirm tag, carried in ``publishTagHeader`` when the message is mandatory.
    package func publish(_ message: AMQPMessage, channel: UInt16, tag: UInt64) throws(AMQPError) {
        var properties = amqp_basic_properties_t()
        properties._flags = amqp_flags_t(AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_HEADERS_FLAG)
        properties.delivery_mode = 2  // persistent
        var headers = message.headers.filter { $0.0 != Self.publishTagHeader }
        if message.mandatory { headers.append((Self.publishTagHeader, .int(Int64(truncatingIfNeeded: tag)))) }
        let status = withBytes(message.contentType, message.messageID ?? "", message.exchange, message.routingKey, message.userID ?? "") {
            contentType, messageID, exchange, routingKey, userID in
            AMQPTable.with(headers) { headers in
                properties.content_type = contentType
                properties.headers = headers
                if message.messageID != nil {
                    properties._flags |= amqp_flags_t(AMQP_BASIC_MESSAGE_ID_FLAG)
                    properties.message_id = messageID
                }
                if message.userID != nil {
                    properties._flags |= amqp_flags_t(AMQP_BASIC_USER_ID_FLAG)
                    properties.user_id = userID
                }
                return message.body.withUnsafeBytes { body in
                    amqp_basic_publish(
                        state, channel, exchange, routingKey, message.mandatory ? 1 : 0, 0, &properties,
                        amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress)))
                }
            }
        }
        guard status == AMQP_STATUS_OK.rawValue else {
            throw failure("publish to \(message.routingKey)", String(cString: amqp_error_string2(status)))
        }
    }

    /// Acks `tag`, and with `multiple` every unacked delivery of the channel up to it.
    package func ack(_ tag: UInt64, multiple: Bool = false, channel: UInt16) throws(AMQPError) {
        let status = amqp_basic_ack(state, channel, tag, multiple ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else { throw failure("ack", String(cString: amqp_error_string2(status))) }
    }

    package func reject(_ tag: UInt64, requeue: Bool, channel: UInt16) throws(AMQPError) {
        let status = amqp_basic_nack(state, channel, tag, 0, requeue ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else { throw failure("nack", String(cString: amqp_error_string2(status))) }
    }

    /// Runs `body` with the socket corked (`TCP_CORK`): the frames it writes leave as full segments when it
    /// returns instead of one small packet each, which saves the broker and the kernel a wake-up per frame.
    func corked<Result>(_ body: () throws(AMQPError) -> Result) throws(AMQPError) -> Result {
        let socket = amqp_get_sockfd(state)
        setCork(socket, true)
        defer { setCork(socket, false) }
        return try body()
    }

    private func setCork(_ socket: Int32, _ on: Bool) {
        guard socket >= 0 else { return }
        var value: Int32 = on ? 1 : 0
        _ = setsockopt(socket, Int32(IPPROTO_TCP), TCP_CORK, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Fetches one message with `basic.get` (for replaying a queue), or nil when it is empty.
    package func get(queue: String, channel: UInt16) throws(AMQPError) -> AMQPDelivery? {
        releaseBuffers()
        decodedSinceRelease = true
        let reply = withBytes(queue) { queue in amqp_basic_get(state, channel, queue, 0) }
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else { throw failure("get from \(queue)", Self.describe(reply)) }
        guard reply.reply.id == AMQPMethod.basicGetOk, let ok = reply.reply.decoded?.assumingMemoryBound(to: amqp_basic_get_ok_t.self) else {
            return nil  // basic.get-empty
        }
        var message = amqp_message_t()
        let read = amqp_read_message(state, channel, &message, 0)
        guard read.reply_type == AMQP_RESPONSE_NORMAL else { throw failure("read from \(queue)", Self.describe(read)) }
        defer { amqp_destroy_message(&message) }
        return Self.delivery(tag: ok.pointee.delivery_tag, redelivered: ok.pointee.redelivered != 0, routingKey: ok.pointee.routing_key, message: message)
    }

    /// Frees what earlier frames were decoded into. rabbitmq-c keeps frames read while an RPC waited for its
    /// reply (a depth read in a burst: thousands of deliveries) in a queue, and before freeing a channel's pool
    /// it checks the channel against every queued frame. Freeing every channel's pool on every event while such
    /// a queue drained, O(channels × queued) per event, cost 18 % of the gateway's CPU flat out; so with frames
    /// queued only the pool of the channel just read is freed (one walk), and all of them once the queue is empty.
    private func releaseBuffers() {
        guard decodedSinceRelease else { return }
        if amqp_frames_enqueued(state) == 0 {
            amqp_maybe_release_buffers(state)
            decodedSinceRelease = false
        } else if let channel = lastEventChannel {
            amqp_maybe_release_buffers_on_channel(state, channel)
        }
    }

    /// Whether rabbitmq-c holds frames it read for ``nextEvent(timeout:)``: a synchronous call (a consumer's
    /// cancel) reads up to its answer and keeps the deliveries it met on the way.
    var holdsQueuedFrames: Bool { amqp_frames_enqueued(state) != 0 }

    /// Whether rabbitmq-c holds anything read from the socket and not yet handed out (queued frames, or bytes in its
    /// read buffer): waiting for the socket to become readable would not see it.
    var holdsBufferedInput: Bool { amqp_frames_enqueued(state) != 0 || amqp_data_in_buffer(state) != 0 }

    /// The connection's socket, for a wait on it beside other descriptors (``AMQPWakeup``); -1 if none.
    var socket: Int32 { amqp_get_sockfd(state) }

    /// The heartbeat interval negotiated at login, in seconds (0: none).
    var heartbeatSeconds: Int { Int(amqp_get_heartbeat(state)) }

    /// Waits up to `timeout` for the next delivery, confirm or broker notice; heartbeats are serviced inside.
    package func nextEvent(timeout: Duration) throws(AMQPError) -> Event {
        releaseBuffers()
        var envelope = amqp_envelope_t()
        var wait = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        let reply = amqp_consume_message(state, &envelope, &wait, 0)
        if reply.reply_type != AMQP_RESPONSE_LIBRARY_EXCEPTION || reply.library_error != AMQP_STATUS_TIMEOUT.rawValue {
            decodedSinceRelease = true
        }
        if reply.reply_type == AMQP_RESPONSE_NORMAL {
            defer { amqp_destroy_envelope(&envelope) }
            lastEventChannel = envelope.channel
            return .delivery(
                Self.delivery(
                    tag: envelope.delivery_tag, redelivered: envelope.redelivered != 0, routingKey: envelope.routing_key,
                    message: envelope.message),
                channel: envelope.channel, consumerTag: AMQPTable.string(envelope.consumer_tag))
        }
        guard reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION else {
            throw failure("consume", Self.describe(reply))
        }
        if reply.library_error == AMQP_STATUS_TIMEOUT.rawValue { return .timeout }
        guard reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue else {
            throw failure("consume", String(cString: amqp_error_string2(reply.library_error)))
        }
        return try nonDeliveryFrame()
    }

    /// A frame other than basic.deliver is waiting: read it (the rabbitmq-c consumer pattern).
    private func nonDeliveryFrame() throws(AMQPError) -> Event {
        var frame = amqp_frame_t()
        let status = amqp_simple_wait_frame(state, &frame)
        guard status == AMQP_STATUS_OK.rawValue else { throw failure("read frame", String(cString: amqp_error_string2(status))) }
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { return .timeout }
        let method = frame.payload.method
        switch method.id {
        case AMQPMethod.basicAck:
            let ack = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            return .confirm(tag: ack.delivery_tag, multiple: ack.multiple != 0, ok: true)
        case AMQPMethod.basicNack:
            let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            return .confirm(tag: nack.delivery_tag, multiple: nack.multiple != 0, ok: false)
        case AMQPMethod.basicReturn:
            let returned = method.decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
            let replyText = "\(returned.reply_code) \(AMQPTable.string(returned.reply_text))"
            var message = amqp_message_t()
            let read = amqp_read_message(state, frame.channel, &message, 0)
            guard read.reply_type == AMQP_RESPONSE_NORMAL else { throw failure("read returned message", Self.describe(read)) }
            defer { amqp_destroy_message(&message) }
            let hasHeaders = message.properties._flags & amqp_flags_t(AMQP_BASIC_HEADERS_FLAG) != 0
            let tag = hasHeaders ? AMQPTable.read(message.properties.headers)[Self.publishTagHeader]?.intValue : nil
            return .returned(publishTag: tag.map { UInt64(truncatingIfNeeded: $0) }, replyText: replyText)
        case AMQPMethod.basicCancel:
            let cancel = method.decoded.assumingMemoryBound(to: amqp_basic_cancel_t.self).pointee
            return .consumerCancelled(consumerTag: AMQPTable.string(cancel.consumer_tag), channel: frame.channel)
        case AMQPMethod.channelClose:
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            open = false
            throw failure("channel", "closed by the broker: \(close.reply_code) \(AMQPTable.string(close.reply_text))")
        case AMQPMethod.connectionClose:
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            open = false
            throw failure("connection", "closed by the broker: \(close.reply_code) \(AMQPTable.string(close.reply_text))")
        default:
            return .timeout
        }
    }

    /// Runs `body` with `amqp_bytes_t` views of the strings, valid for the whole call — never
    /// `amqp_cstring_bytes(swiftString)`, whose pointer dangles as soon as it returns.
    func withBytes<Result>(_ a: String, _ body: (amqp_bytes_t) -> Result) -> Result {
        var copy = a
        return copy.withUTF8 { body(amqp_bytes_t(len: $0.count, bytes: UnsafeMutableRawPointer(mutating: $0.baseAddress))) }
    }

    func withBytes<Result>(_ a: String, _ b: String, _ body: (amqp_bytes_t, amqp_bytes_t) -> Result) -> Result {
        withBytes(a) { a in withBytes(b) { b in body(a, b) } }
    }

    func withBytes<Result>(
        _ a: String, _ b: String, _ c: String, _ body: (amqp_bytes_t, amqp_bytes_t, amqp_bytes_t) -> Result
    ) -> Result {
        withBytes(a, b) { a, b in withBytes(c) { c in body(a, b, c) } }
    }

    func withBytes<Result>(
        _ a: String, _ b: String, _ c: String, _ d: String,
        _ body: (amqp_bytes_t, amqp_bytes_t, amqp_bytes_t, amqp_bytes_t) -> Result
    ) -> Result {
        withBytes(a, b) { a, b in withBytes(c, d) { c, d in body(a, b, c, d) } }
    }

    func withBytes<Result>(
        _ a: String, _ b: String, _ c: String, _ d: String, _ e: String,
        _ body: (amqp_bytes_t, amqp_bytes_t, amqp_bytes_t, amqp_bytes_t, amqp_bytes_t) -> Result
    ) -> Result {
        withBytes(a, b) { a, b in withBytes(c, d, e) { c, d, e in body(a, b, c, d, e) } }
    }

    func check(_ operation: String) throws(AMQPError) {
        decodedSinceRelease = true  // an RPC's answer is decoded into its channel's pool
        let reply = amqp_get_rpc_reply(state)
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else { throw failure(operation, Self.describe(reply)) }
    }
}
