import Broker
import Foundation
import GatewayConfig
import GatewayCore
import GatewayDelivery
import Logging
import OrgServices
import PluginKit

/// Takes one delivery from `genesys.outbound` to its end: delivered, sent to a retry tier, dead-lettered or
/// parked — and acks it only after that, publishing a status event for each step.
///
/// Nothing is lost at any crash point: the ack comes after Genesys accepted the message or after the broker
/// confirmed the copy in the retry, dead-letter or parking queue. A redelivery of a message already sent is
/// recognised from the idempotency record and acked without sending it again.
///
/// Frames: every message in flight holds the async frame of ``process(_:message:sequence:slotTaken:mayHoldRetry:)``
/// while it is delivered, and an inlined helper's locals become part of that frame. The steps that run after
/// delivery (``conclude(_:_:)``, a retry, a final move, a recognised duplicate) are therefore kept out of line:
/// that took the frame from 27 KB to what `scripts/bench-cpu.sh`'s memory figures show (docs/benchmarks.md).
struct MessageProcessor: Sendable {
    let client: any MessageBroker
    let delivery: DeliveryService
    let registry: TenantRegistry
    let status: any StatusSink
    let topology: QueueTopology
    let clock: any MonotonicClock
    let logger: Logger

    enum Result: Equatable {
        /// Acked: delivered, dead-lettered, parked or a recognised duplicate.
        case finished
        /// Acked after a copy went to this retry tier.
        case deferred(tier: Duration)
        /// Not acked (the broker could not take the copy): the broker will redeliver it.
        case abandoned
    }

    /// - Parameters:
    ///   - sequence: the message's place in its conversation, carried by a copy sent to a retry tier.
    ///   - slotTaken: the message waited for its org's slot in the dispatcher and has it (see
    ///     ``DeliveryService/slotLimiter(for:tenantHint:redelivered:)``): its first send takes no other.
    ///   - mayHoldRetry: asked when a send failed and may be tried again: true lets the message wait for its
    ///     retry in the gateway (``SendProgress/mayHoldRetry()``) instead of in a retry tier.
    func process(
        _ inbound: BrokerDelivery, message: QueuedMessage?, sequence: Int64, slotTaken: Bool = false,
        mayHoldRetry: @escaping @Sendable () async -> Bool = { false }
    ) async -> Result {
        let delivery = inbound.delivery
        let state = QueueHeaders.RetryState(delivery.headers)
        let messageID = message?.id ?? delivery.messageID ?? "tag-\(delivery.deliveryTag)"
        let org = orgKey(message, tenantHint: state.tenant)
        let queueOrg = topology.org(ofQueue: inbound.queue)
        if let removed = queueOrg.flatMap(removed) {
            return await final(
                .parked, queue: topology.parkedQueue,
                reason: "org \(removed) was removed from the config while its messages waited", error: nil, inbound,
                messageID: messageID, org: removed, attempt: state.attempt)
        }
        if let refusal = registry.tenant(org.tenantID)?.config.publisherRefusal(userID: delivery.userID, gatewayUser: client.userID) {
            return await final(
                .deadLettered, queue: topology.deadLetterQueue, reason: refusal, error: nil, inbound, messageID: messageID,
                org: org, attempt: state.attempt, publisherRefused: true)
        }
        if let misrouted = misrouting(of: inbound, from: queueOrg, message: message, org: org) {
            return await final(
                .deadLettered, queue: topology.deadLetterQueue, reason: misrouted, error: nil, inbound, messageID: messageID,
                org: org, attempt: state.attempt)
        }
        let progress = QueuedSendProgress(
            status: status, messageID: messageID, org: org, announcesAcceptance: state.attempt == 1 && !state.deferred,
            mayHold: mayHoldRetry)
        let expirySettings = self.expirySettings(for: message, org: org)
        let prepared: Prepared
        switch prepare(inbound, message: message, state: state, expirySettings: expirySettings, slotTaken: slotTaken) {
        case .success(let value): prepared = value
        case .failure(let failure):
            await progress.starting()
            return await final(
                .deadLettered, queue: topology.deadLetterQueue, reason: DeliveryService.describe(failure), error: nil, inbound,
                messageID: messageID, org: org, attempt: state.attempt)
        }
        let sent = await self.delivery.sendQueued(prepared.request, redelivered: delivery.redelivered, progress: progress)
        var outcome = sent.outcome
        if let removed = removedOrg(of: inbound), outcome.isFinalRefusal {
            // The org went while the message waited for it: keep the message, as its queued neighbours are kept.
            outcome = .parked(reason: "org \(removed) was removed from the config while its messages waited")
        }
        let settling = Settling(
            inbound: inbound, message: message, messageID: messageID, org: org, attempt: sent.attempt,
            firstAttempt: prepared.firstAttempt, sequence: sequence, expiry: prepared.expiry,
            expiredMessages: expirySettings.expiredMessages)
        return await conclude(outcome, settling)
    }

    /// A message's delivery request, with its expiry and first attempt.
    private struct Prepared {
        var request: DeliveryRequest
        var expiry: MessageExpiry?
        var firstAttempt: Date
    }

    /// The delivery request for a message, or why the message is invalid (an `expiresAt` that is no date-time).
    @inline(never)  // its locals stay out of the async frame of `process` (see the type's note on frames)
    private func prepare(
        _ inbound: BrokerDelivery, message: QueuedMessage?, state: QueueHeaders.RetryState, expirySettings: ExpirySettings,
        slotTaken: Bool
    ) -> Swift.Result<Prepared, ValidationFailure> {
        let firstAttempt = state.firstAttempt ?? Date()
        let (wallNow, monotonicNow) = (Date(), clock.now())
        let elapsed = Duration.fractionalSeconds(max(0, wallNow.timeIntervalSince(firstAttempt)))
        var request = DeliveryRequest(
            bytes: inbound.delivery.body, attempt: state.attempt, firstAttemptAt: monotonicNow - elapsed, tenantHint: state.tenant)
        request.isStillWanted = { [client] in client.generation == inbound.generation }
        request.decoded = message
        request.slotTaken = slotTaken
        var expiry: MessageExpiry?
        if let message {
            switch MessageExpiry.of(message, settings: expirySettings, takenAt: firstAttempt) {
            case .success(let found): expiry = found
            case .failure(let failure): return .failure(failure)
            }
        }
        request.expiresAt = expiry?.deadline(monotonicNow: monotonicNow, wallNow: wallNow)
        return .success(Prepared(request: request, expiry: expiry, firstAttempt: firstAttempt))
    }

    /// The reason an expired message is dead-lettered or parked with (`x-ggw-reason`) and reported with.
    static let expiredReason = "expired"

    /// The expiry settings of the org a message is for; the built-in ones when no configured org takes it
    /// (its own `expiresAt` still counts).
    func expirySettings(for message: QueuedMessage?, org: OrgKey) -> ExpirySettings {
        registry.tenant(org.tenantID)?.org(named: message?.org)?.config.expiry ?? ConfigDefaults.expiry
    }

    /// The org of the queue `inbound` came from, when that org is no longer configured (read again after a send:
    /// the queue's org is not kept in the async frame across it).
    private func removedOrg(of inbound: BrokerDelivery) -> OrgKey? {
        topology.org(ofQueue: inbound.queue).flatMap(removed)
    }

    /// `org`, when it is no longer configured.
    private func removed(_ org: OrgKey) -> OrgKey? {
        registry.hasOrg(org) ? nil : org
    }

    /// Why a message that reached an org queue is not that org's to send, or nil when it is. Only a publisher on
    /// the direct path can cause it (the router copies each message into the queue of the org it names), by a
    /// routing key that disagrees with the message's own `tenantId`/`org`: the message is not sent under another
    /// org's rate and credentials.
    private func misrouting(of inbound: BrokerDelivery, from queueOrg: OrgKey?, message: QueuedMessage?, org: OrgKey) -> String? {
        guard message != nil, org.tenantID != OrgKey.unattributed, org.orgName != OrgKey.unattributed, let queueOrg, queueOrg != org
        else { return nil }
        return "misrouted: the message is for \(org) but was published to \(queueOrg)'s queue (routing key "
            + "'\(inbound.delivery.routingKey)'); publish it with routing key '\(topology.directRoutingKey(for: org))' to "
            + "\(topology.orgExchange), or to \(topology.outbound)"
    }

    /// Tenant and org for status routing keys, as well as they can be told before delivery.
    func orgKey(_ message: QueuedMessage?, tenantHint: String?) -> OrgKey {
        let tenantID = message?.tenantId ?? tenantHint ?? OrgKey.unattributed
        let orgName = message?.org ?? registry.tenant(tenantID)?.config.defaultOrg?.name ?? OrgKey.unattributed
        return OrgKey(tenantID: tenantID, orgName: orgName)
    }
}

extension DeliveryOutcome {
    /// Dead-lettered or parked: the delivery core will not send it.
    fileprivate var isFinalRefusal: Bool {
        switch self {
        case .deadLetter, .parked: return true
        case .delivered, .alreadyDelivered, .retry, .throttled, .notSent, .expired: return false
        }
    }
}
