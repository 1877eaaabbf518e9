import Broker
import Foundation
import GatewayConfig
import GatewayCore
import GatewayDelivery
import Hummingbird
import Logging
import OrgServices
import PluginHost
import PluginKit

/// `POST /v1/messages` (send now), `POST /v1/messages/async` (queue it) and `GET /v1/messages/{id}`.
///
/// A message is our queue contract (schemas/outbound-message.schema.json), checked the same way as a queued
/// one: decoded, its type's plugin builds the Genesys request (naming the field it refuses), and it goes
/// through its org's rate limiter, circuit breaker and token.
struct MessageRoutes {
    let services: APIServices

    init(services: APIServices) {
        self.services = services
    }

    func register(on router: RouterGroup<APIRequestContext>) {
        router.post("messages") { request, context in try await sendNow(request, context) }
        router.post("messages/async") { request, context in try await enqueue(request, context) }
        router.get("messages/:id") { _, context in try await status(context) }
    }

    /// A message checked against the caller's tenant and org, ready to deliver or queue.
    struct CheckedMessage {
        var message: QueuedMessage
        /// The body with `tenantId` and `org` filled in, so the queue and the plugins see where it goes.
        var bytes: [UInt8]
        var org: OrgRuntime
        /// What the org's sender plugin made of `bytes`.
        var genesysRequest: PluginRequest
        /// When it stops being worth sending (``MessageExpiry``); nil: never.
        var expiry: MessageExpiry?
    }

    func sendNow(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let checked = try await check(request, context)
        let receipt = try await deliver(checked, context)
        return try Response.json(SentMessage(receipt), status: .ok)
    }

    /// Sends a checked message now: Genesys' answer, or the API error it maps to. Our id is the idempotency key:
    /// a message Genesys already has is not sent again, and one another send holds is refused (409).
    func deliver(_ checked: CheckedMessage, _ context: APIRequestContext) async throws -> DeliveryReceipt {
        let key = checked.org.key
        var request = DeliveryRequest(bytes: checked.bytes, tenantHint: key.tenantID, maxLimiterWait: services.maxLimiterWait)
        request.decoded = checked.message
        request.prebuilt = checked.genesysRequest
        request.expiresAt = checked.expiry?.deadline(monotonicNow: services.clock.now(), wallNow: Date())
        let outcome: DeliveryOutcome
        do {
            outcome = try await services.delivery.sendNow(request)
        } catch {
            throw APIError(
                .conflict, code: "in_progress", message: "message '\(error.messageID)' is being sent by another request",
                tenantID: key.tenantID, org: key.orgName, retryAfter: .seconds(1))
        }
        switch outcome {
        case .delivered(let receipt):
            var event = StatusEvent(status: .sent, messageId: receipt.messageID, tenantId: key.tenantID, org: key.orgName)
            event.attempt = 1
            event.genesysMessageId = receipt.genesysMessageID
            event.conversationId = receipt.conversationID
            event.correlationId = receipt.correlationID
            if receipt.possibleDuplicate { event.possibleDuplicate = true }
            await publish(event)
            return receipt
        case .alreadyDelivered(let earlier):
            return Self.alreadySent(earlier, context)
        case .notSent(let refusal):
            throw APIError.from(refusal, org: key)
        case .retry(let after, let reason, let error), .throttled(let after, let reason, let error):
            if let error { throw APIError.from(error, retryAfter: after) }
            throw APIError.unavailable(reason, org: key, retryAfter: after)
        case .deadLetter(let reason, let error):
            if let error { throw APIError.from(error, retryAfter: nil) }
            throw APIError(.unprocessableContent, code: "message_refused", message: reason, tenantID: key.tenantID, org: key.orgName)
        case .parked(let reason):
            throw APIError(.unprocessableContent, code: "not_enabled", message: reason, tenantID: key.tenantID, org: key.orgName)
        case .expired:
            throw Self.expired(checked.expiry, org: key)
        }
    }

    /// The answer for a message Genesys already has: its receipt, so a caller retrying after a lost answer gets the ids.
    private static func alreadySent(_ earlier: DeliveryReceipt, _ context: APIRequestContext) -> DeliveryReceipt {
        context.logger.info("message already sent; not sending it again", metadata: ["message.id": "\(earlier.messageID)"])
        return earlier
    }

    /// 422 `expired`: the message can no longer be useful, so it is not sent (nor queued).
    static func expired(_ expiry: MessageExpiry?, org: OrgKey) -> APIError {
        APIError(
            .unprocessableContent, code: "expired", message: "message \(expiry?.description ?? "expired"); not sent",
            field: expiry?.isMessagesOwn == true ? "expiresAt" : nil, tenantID: org.tenantID, org: org.orgName)
    }

    func enqueue(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let checked = try await check(request, context)
        let key = checked.org.key
        let amqp = services.amqp
        guard amqp.isConnected else {
            throw APIError(.serviceUnavailable, code: "queue_unavailable", message: "RabbitMQ is not connected", retryAfter: .seconds(1))
        }
        // The direct path: straight into the org's queue when it is bound, through the router otherwise.
        let message = AMQPMessage(
            exchange: amqp.topology.orgExchange, routingKey: amqp.topology.directRoutingKey(for: key), body: checked.bytes,
            headers: [(QueueHeaders.tenant, .string(key.tenantID))], messageID: AMQPMessage.messageIDProperty(checked.message.id), mandatory: true)
        let queued = StatusEvent(status: .queued, messageId: checked.message.id, tenantId: key.tenantID, org: key.orgName)
        let publishing = Task { () -> (any Error)? in
            do {
                try await amqp.publish(message)
                return nil
            } catch {
                return error
            }
        }
        switch await BoundedWait.value(of: publishing, within: services.publishTimeout, clock: services.clock) {
        case .some(.none):
            break
        case .some(.some(let error)):
            context.logger.warning("publish refused", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, code: "queue_unavailable", message: "RabbitMQ did not take the message: \(error)", retryAfter: .seconds(1))
        case .none:
            throw APIError(
                .serviceUnavailable, code: "queue_unavailable",
                message: "RabbitMQ did not confirm within \(services.publishTimeout); the message may still be delivered", retryAfter: .seconds(1))
        }
        // Stamped before the publish; the consumer may have reported on the message already, so the status store
        // keeps `queued` before what it reported.
        await publish(queued)
        return try Response.json(
            QueuedAnswer(messageId: checked.message.id, tenantId: key.tenantID, org: key.orgName, status: "queued",
                         statusUrl: "/v1/messages/" + ConversationRequests.escape(checked.message.id)),
            status: .accepted)
    }

    /// Records `event` where the API reads it back (message status, conversation owner) before the answer goes
    /// out, then hands it to the status stream, which does not wait for the broker's confirm (``StatusSink``):
    /// status never slows an answer.
    func publish(_ event: StatusEvent) async {
        await services.statuses.publish(event)
        await services.conversations.publish(event)
        await services.status.publish(event)
    }

    func status(_ context: APIRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let id = context.pathSegment("id")
        if let entry = await services.statuses.entry(for: id, tenantID: tenant.config.id) {
            return try Response.json(entry)
        }
        if let receipt = await services.delivery.sent.receipt(for: id, tenantID: tenant.config.id) {
            var event = StatusEvent(status: .sent, messageId: id, tenantId: receipt.org.tenantID, org: receipt.org.orgName)
            event.genesysMessageId = receipt.genesysMessageID
            event.conversationId = receipt.conversationID
            return try Response.json(MessageStatusStore.Entry(latest: event, history: []))
        }
        throw APIError.notFound("message '\(id)'", tenant: tenant.config.id)
    }

    /// Decodes and checks a message body against the caller's tenant, its org and the org's plugins.
    func check(_ request: Request, _ context: APIRequestContext) async throws -> CheckedMessage {
        let tenant = try context.requireTenant()
        let body = try await RequestBody.bytes(request)
        return try check(body, request: request, context: context, tenant: tenant)
    }

    func check(_ body: [UInt8], request: Request, context: APIRequestContext, tenant: TenantRuntime) throws -> CheckedMessage {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw APIError.invalidBody("the body is not a JSON object", field: nil)
        }
        var message: QueuedMessage
        switch QueuedMessage.decode(body) {
        case .success(let decoded): message = decoded
        case .failure(let failure): throw APIError.invalidBody(failure.reason, field: failure.field.isEmpty ? nil : failure.field)
        }
        if let named = message.tenantId, named != tenant.config.id {
            throw APIError.invalidBody(
                "tenantId '\(named)' is not the tenant of this API key; leave it out or use '\(tenant.config.id)'", field: "tenantId")
        }
        let (_, org) = try context.org(for: request, named: message.org)
        message.tenantId = tenant.config.id
        message.org = org.key.orgName
        object["tenantId"] = tenant.config.id
        object["org"] = org.key.orgName
        // Sent through the API now: without a time of its own the message is the customer's as of now.
        if object["createdAt"] == nil {
            object["createdAt"] = StatusEvent.format(Date())
            message.createdAt = object["createdAt"] as? String
        }
        let bytes = Array(try JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]))
        guard let sender = org.senders[message.type] else {
            let known = services.registry.plugins.sender(for: message.type) != nil
            throw APIError(
                known ? .unprocessableContent : .badRequest, code: known ? "type_not_enabled" : "unknown_type",
                message: known ? "message type '\(message.type)' is not enabled for org \(org.key)" : "unknown message type '\(message.type)'",
                field: "type", tenantID: org.key.tenantID, org: org.key.orgName)
        }
        let expiry: MessageExpiry?
        switch MessageExpiry.of(message, settings: org.config.expiry, takenAt: Date()) {
        case .success(let found): expiry = found
        case .failure(let failure):
            throw APIError(
                .badRequest, code: "invalid_message", message: failure.reason, field: failure.field,
                tenantID: org.key.tenantID, org: org.key.orgName)
        }
        if let expiry, expiry.hasPassed(at: Date()) { throw Self.expired(expiry, org: org.key) }
        switch sender.buildRequest(message: bytes, context: org.context) {
        case .success(let genesysRequest):
            return CheckedMessage(message: message, bytes: bytes, org: org, genesysRequest: genesysRequest, expiry: expiry)
        case .failure(let failure):
            throw APIError(
                .badRequest, code: "invalid_message", message: failure.reason, field: failure.field.isEmpty ? nil : failure.field,
                tenantID: org.key.tenantID, org: org.key.orgName)
        }
    }
}

/// The answer to a message sent now.
struct SentMessage: Encodable {
    var messageId: String
    var tenantId: String
    var org: String
    var status = "sent"
    var genesysMessageId: String?
    var conversationId: String?
    var correlationId: String?

    init(_ receipt: DeliveryReceipt) {
        messageId = receipt.messageID
        tenantId = receipt.org.tenantID
        org = receipt.org.orgName
        genesysMessageId = receipt.genesysMessageID
        conversationId = receipt.conversationID
        correlationId = receipt.correlationID
    }
}

/// The answer to a message queued for delivery.
struct QueuedAnswer: Encodable {
    var messageId: String
    var tenantId: String
    var org: String
    var status: String
    var statusUrl: String
}
