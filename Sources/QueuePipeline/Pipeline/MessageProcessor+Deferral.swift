import Broker
import Foundation
import GatewayConfig
import GatewayCore
import GatewayDelivery
import OrgServices
import PluginKit

/// A conversation's later messages while its head waits in a retry tier (``Dispatcher``): each follows the head into
/// the tier rather than overtake it. Kept apart from the delivery (see ``MessageProcessor``'s note on frames).
extension MessageProcessor {
    /// What became of a message sent behind its conversation's head.
    enum DeferralResult: Equatable {
        /// In the tier behind the head, without using up an attempt.
        case deferred
        /// Settled instead (expired, or its org's retry window is over): it no longer waits for anything.
        case settled
        /// The broker did not confirm the copy: not acked.
        case notConfirmed
    }

    /// Sends a message into `tier` behind an earlier message of its conversation, unless waiting no longer makes
    /// sense: a message that expired, or whose org's retry window (`maxRetryDurationSeconds` since its first
    /// attempt) is over, is settled now as its own send would have settled it (expired; dead-lettered). Before,
    /// a message could follow a head that never came back round the tiers for ever (issue 30). Either way it is
    /// not sent, so it never overtakes the head.
    func deferBehind(_ inbound: BrokerDelivery, message: QueuedMessage?, tier: Duration, sequence: Int64) async -> DeferralResult {
        let delivery = inbound.delivery
        let state = QueueHeaders.RetryState(delivery.headers)
        let firstAttempt = state.firstAttempt ?? Date()
        if let settled = await settleIfOverdue(inbound, message: message, state: state, firstAttempt: firstAttempt) {
            return settled
        }
        let copy = AMQPMessage(
            routingKey: topology.retryQueue(for: tier), body: delivery.body,
            headers: QueueHeaders.retry(
                from: delivery.headers, attempt: state.attempt, firstAttempt: firstAttempt, sequence: sequence,
                reason: "waiting behind an earlier message of its conversation", error: nil),
            messageID: delivery.messageID, mandatory: true)
        return await handOver(copy, inbound, what: "retry tier") ? .deferred : .notConfirmed
    }

    /// Settles a message that must not wait any longer; nil when it may.
    private func settleIfOverdue(
        _ inbound: BrokerDelivery, message: QueuedMessage?, state: QueueHeaders.RetryState, firstAttempt: Date
    ) async -> DeferralResult? {
        let org = orgKey(message, tenantHint: state.tenant)
        let messageID = message?.id ?? inbound.delivery.messageID ?? "tag-\(inbound.delivery.deliveryTag)"
        let settings = expirySettings(for: message, org: org)
        let result: Result
        if let message, case .success(let expiry?) = MessageExpiry.of(message, settings: settings, takenAt: firstAttempt),
            expiry.date <= Date()
        {
            let queue = settings.expiredMessages == .park ? topology.parkedQueue : topology.deadLetterQueue
            result = await final(
                .expired, queue: queue, reason: Self.expiredReason, error: nil, inbound, messageID: messageID, org: org,
                attempt: state.attempt, expiry: expiry, messageType: message.type)
        } else if let window = registry.tenant(org.tenantID)?.org(named: message?.org)?.config.retry.maxRetryDurationSeconds,
            Date().timeIntervalSince(firstAttempt) > Double(window)
        {
            result = await final(
                .deadLettered, queue: topology.deadLetterQueue,
                reason: "gave up after retrying for \(window) s (waiting behind an earlier message of its conversation)", error: nil,
                inbound, messageID: messageID, org: org, attempt: state.attempt)
        } else {
            return nil
        }
        return result == .abandoned ? .notConfirmed : .settled
    }
}
