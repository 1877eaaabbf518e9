import Broker
import Foundation
import GatewayConfig
import GatewayCore
import GatewayDelivery
import Logging
import OrgServices
import PluginKit

/// The end of a queued message: acked, moved to a retry tier, dead-lettered or parked as its outcome says, and
/// reported. Kept apart from the delivery in ``MessageProcessor`` and out of line (see its note on frames).
extension MessageProcessor {
    /// What ``conclude(_:_:)`` needs to know of a message besides its outcome.
    struct Settling {
        var inbound: BrokerDelivery
        var message: QueuedMessage?
        var messageID: String
        var org: OrgKey
        /// The attempt the outcome came from.
        var attempt: Int
        var firstAttempt: Date
        var sequence: Int64
        var expiry: MessageExpiry?
        var expiredMessages: ExpiredMessageHandling
    }

    /// Acks, moves or hands back the message as its outcome says, and reports it.
    @inline(never)  // its locals stay out of the async frame of `process` (see the type's note on frames)
    func conclude(_ outcome: DeliveryOutcome, _ settling: Settling) async -> Result {
        let (inbound, messageID, org, attempt) = (settling.inbound, settling.messageID, settling.org, settling.attempt)
        switch outcome {
        case .delivered(let receipt):
            client.ack(inbound)
            var event = StatusEvent(status: .sent, messageId: messageID, tenantId: receipt.org.tenantID, org: receipt.org.orgName)
            event.attempt = attempt
            event.genesysMessageId = receipt.genesysMessageID
            event.conversationId = receipt.conversationID
            event.correlationId = receipt.correlationID
            if receipt.possibleDuplicate { event.possibleDuplicate = true }
            await status.publish(event)
            return .finished

        case .alreadyDelivered(let receipt):
            return await alreadySent(inbound, receipt: receipt, messageID: messageID)

        case .retry(let after, let reason, let error):
            return await retry(settling, after: after, reason: reason, error: error, attempt: attempt + 1)

        case .throttled(let after, let reason, let error):
            return await retry(settling, after: after, reason: reason, error: error, attempt: attempt)

        case .notSent(.cancelled):
            return .abandoned  // its connection is gone: the broker hands it out again, in order

        case .notSent(let refusal):
            // Not tried: waiting for the circuit (or a slot) uses up no attempt.
            return await retry(settling, after: refusal.retryAfter, reason: "\(refusal.reason) for org \(org)", error: nil, attempt: attempt)

        case .deadLetter(let reason, let error):
            return await final(.deadLettered, queue: topology.deadLetterQueue, reason: reason, error: error, inbound, messageID: messageID, org: org, attempt: attempt)

        case .parked(let reason):
            return await final(.parked, queue: topology.parkedQueue, reason: reason, error: nil, inbound, messageID: messageID, org: org, attempt: attempt)

        case .expired:
            let queue = settling.expiredMessages == .park ? topology.parkedQueue : topology.deadLetterQueue
            return await final(
                .expired, queue: queue, reason: Self.expiredReason, error: nil, inbound, messageID: messageID, org: org, attempt: attempt,
                expiry: settling.expiry, messageType: settling.message?.type)
        }
    }

    /// Acks a message the idempotency record shows sent (found by the receipt check, or as the send was to start)
    /// and reports it as a duplicate: Genesys has it, from an earlier run.
    @inline(never)  // its locals stay out of the async frame of `process` (see the type's note on frames)
    func alreadySent(_ inbound: BrokerDelivery, receipt: DeliveryReceipt, messageID: String) async -> Result {
        client.ack(inbound)
        var event = StatusEvent(status: .sent, messageId: messageID, tenantId: receipt.org.tenantID, org: receipt.org.orgName)
        event.genesysMessageId = receipt.genesysMessageID
        event.conversationId = receipt.conversationID
        event.duplicate = true
        logger.info("message was already sent (the idempotency record has its receipt); not sending it again", metadata: ["message.id": "\(messageID)"])
        await status.publish(event)
        return .finished
    }

    /// Hands the message to the retry tier that fits `after`, then reports it as retrying.
    @inline(never)  // its locals stay out of the async frame of `process` (see the type's note on frames)
    func retry(_ settling: Settling, after: Duration, reason: String, error: GenesysError?, attempt: Int) async -> Result {
        let delivery = settling.inbound.delivery
        let tier = topology.tier(for: after)
        let copy = AMQPMessage(
            routingKey: topology.retryQueue(for: tier), body: delivery.body,
            headers: QueueHeaders.retry(
                from: delivery.headers, attempt: attempt, firstAttempt: settling.firstAttempt, sequence: settling.sequence, reason: reason,
                error: error),
            messageID: delivery.messageID ?? AMQPMessage.messageIDProperty(settling.message?.id), mandatory: true)
        guard await handOver(copy, settling.inbound, what: "retry tier") else { return .abandoned }
        await status.publish(
            .retrying(messageID: settling.messageID, org: settling.org, attempt: attempt, in: tier, reason: reason, error: error))
        return .deferred(tier: tier)
    }

    /// Moves the message to `queue` for good (dead-letter or parking queue), then reports `status`.
    /// - Parameters:
    ///   - expiry: with `expired`: when the message expired (on the copy and in the event) and why (in the log).
    ///   - messageType: with `expired`: the message's type, in the event (metrics count expiries by type).
    ///   - publisherRefused: the tenant does not take messages from the message's publisher (in the event).
    @inline(never)  // its locals stay out of the async frame of `process` (see the type's note on frames)
    func final(
        _ status: StatusEvent.Status, queue: String, reason: String, error: GenesysError?, _ inbound: BrokerDelivery,
        messageID: String, org: OrgKey, attempt: Int, expiry: MessageExpiry? = nil, messageType: String? = nil,
        publisherRefused: Bool = false
    ) async -> Result {
        let delivery = inbound.delivery
        let copy = AMQPMessage(
            routingKey: queue, body: delivery.body,
            headers: QueueHeaders.final(from: delivery.headers, reason: reason, error: error, org: org, expiresAt: expiry?.date),
            messageID: delivery.messageID ?? AMQPMessage.messageIDProperty(messageID), mandatory: true)
        guard await handOver(copy, inbound, what: queue) else { return .abandoned }
        var event = StatusEvent(status: status, messageId: messageID, tenantId: org.tenantID, org: org.orgName)
        event.attempt = attempt
        event.reason = reason
        event.expiresAt = expiry.map { StatusEvent.format($0.date) }
        event.messageType = messageType
        if publisherRefused { event.publisherRefused = true }
        event.apply(error)
        var metadata: Logger.Metadata = ["message.id": "\(messageID)", "tenant.id": "\(org.tenantID)", "org.name": "\(org.orgName)", "reason": "\(reason)"]
        if let expiry { metadata["expiry"] = "\(expiry.description)" }
        logger.warning("\(status.rawValue)", metadata: metadata)
        await self.status.publish(event)
        return .finished
    }

    /// Publishes `copy` with a confirm, then acks the original. False (and no ack) if the broker did not confirm.
    func handOver(_ copy: AMQPMessage, _ inbound: BrokerDelivery, what: String) async -> Bool {
        do {
            try await client.publish(copy)
            client.ack(inbound)
            return true
        } catch {
            logger.error("could not hand the message to the \(what); leaving it unacked for redelivery", metadata: ["error": "\(error)"])
            return false
        }
    }
}

extension StatusEvent {
    /// Attempt `attempt` of a message comes after `delay`.
    static func retrying(messageID: String, org: OrgKey, attempt: Int, in delay: Duration, reason: String, error: GenesysError?) -> StatusEvent {
        var event = StatusEvent(status: .retrying, messageId: messageID, tenantId: org.tenantID, org: org.orgName)
        event.attempt = attempt
        event.nextAttemptAt = StatusEvent.format(Date().addingTimeInterval(delay.seconds))
        event.reason = reason
        event.apply(error)
        return event
    }

    mutating func apply(_ error: GenesysError?) {
        guard let error else { return }
        genesysStatus = error.status
        genesysCode = error.code
        correlationId = error.correlationID
    }
}
