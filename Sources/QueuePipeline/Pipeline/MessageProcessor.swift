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
/// Frames: every message in flight holds the async frame of ``settle(_:message:state:messageID:org:sequence:slotTaken:mayHoldRetry:)``
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
    ///     ``slotLimiter(for:message:tenantHint:)``): its first send takes no other.
    ///   - mayHoldRetry: asked when a send failed and may be tried again: true lets the message wait for its
    ///     retry here (see ``deliverWaitingHere(_:mayHoldRetry:messageID:org:)``) instead of in a retry tier.
    func process(
        _ inbound: BrokerDelivery, message: QueuedMessage?, sequence: Int64, slotTaken: Bool = false,
        mayHoldRetry: @Sendable () async -> Bool = { false }
    ) async -> Result {
        let delivery = inbound.delivery
        let state = QueueHeaders.RetryState(delivery.headers)
        let messageID = message?.id ?? delivery.messageID ?? "tag-\(delivery.deliveryTag)"
        let org = orgKey(message, tenantHint: state.tenant)
        // One send of an id at a time, the HTTP API's included: the receipt check below then sees the other's.
        guard let message else {
            return await settle(
                inbound, message: nil, state: state, messageID: messageID, org: org, sequence: sequence, slotTaken: slotTaken,
                mayHoldRetry: mayHoldRetry)
        }
        // A slot taken before a wait here is stale by the time of the send: spending it then could exceed the
        // org's rate (the org's other waiting messages keep taking slots meanwhile), so the send takes a fresh one.
        let waitedForClaim = await self.delivery.inFlight.claim(message.id, tenantID: org.tenantID)
        let result = await settle(
            inbound, message: message, state: state, messageID: messageID, org: org, sequence: sequence,
            slotTaken: slotTaken && !waitedForClaim, mayHoldRetry: mayHoldRetry)
        self.delivery.inFlight.end(message.id, tenantID: org.tenantID)
        return result
    }

    private func settle(
        _ inbound: BrokerDelivery, message: QueuedMessage?, state: QueueHeaders.RetryState, messageID: String, org: OrgKey,
        sequence: Int64, slotTaken: Bool, mayHoldRetry: @Sendable () async -> Bool
    ) async -> Result {
        let delivery = inbound.delivery
        if let removed = removedOrg(of: inbound) {
            return await final(
                .parked, queue: topology.parkedQueue,
                reason: "org \(removed) was removed from the config while its messages waited", error: nil, inbound,
                messageID: messageID, org: removed, attempt: state.attempt)
        }
        if let message, let receipt = await self.delivery.sent.receipt(for: message.id, tenantID: org.tenantID) {
            return await alreadySent(inbound, receipt: receipt, messageID: messageID)
        }
        var slotTaken = slotTaken
        switch await receiptsCanBeKept(for: inbound) {
        case .now: break
        case .afterWaiting: slotTaken = false  // stale after the wait (see `process`)
        case .connectionGone: return .abandoned
        }
        // A redelivery whose earlier send a crash cut short: Genesys may get it twice; said in its `sent` event.
        let possibleDuplicate = delivery.redelivered
            ? await self.delivery.sent.wasInterrupted(messageID, tenantID: org.tenantID) : false
        if state.attempt == 1, !state.deferred {
            await publish(StatusEvent(status: .accepted, messageId: messageID, tenantId: org.tenantID, org: org.orgName))
        }
        let expirySettings = self.expirySettings(for: message, org: org)
        let prepared: Prepared
        switch prepare(inbound, message: message, state: state, expirySettings: expirySettings, slotTaken: slotTaken) {
        case .success(let value): prepared = value
        case .failure(let failure):
            return await final(
                .deadLettered, queue: topology.deadLetterQueue, reason: DeliveryService.describe(failure), error: nil, inbound,
                messageID: messageID, org: org, attempt: state.attempt)
        }
        let (request, expiry, firstAttempt) = (prepared.request, prepared.expiry, prepared.firstAttempt)
        let waited = await deliverWaitingHere(request, mayHoldRetry: mayHoldRetry, messageID: messageID, org: org)
        var outcome = waited.0
        if let removed = removedOrg(of: inbound), outcome.isFinalRefusal {
            // The org went while the message waited for it: keep the message, as its queued neighbours are kept.
            outcome = .parked(reason: "org \(removed) was removed from the config while its messages waited")
        }
        let settling = Settling(
            inbound: inbound, message: message, messageID: messageID, org: org, attempt: waited.attempt, firstAttempt: firstAttempt,
            sequence: sequence, possibleDuplicate: possibleDuplicate, expiry: expiry, expiredMessages: expirySettings.expiredMessages)
        return await conclude(outcome, settling)
    }

    /// A message's delivery request, with its expiry and first attempt.
    private struct Prepared {
        var request: DeliveryRequest
        var expiry: MessageExpiry?
        var firstAttempt: Date
    }

    /// The delivery request for a message, or why the message is invalid (an `expiresAt` that is no date-time).
    @inline(never)  // its locals stay out of the async frame of `settle` (see the type's note on frames)
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

    /// Publishes a status event.
    @inline(never)  // the event stays out of the async frame of `settle` (see the type's note on frames)
    private func publish(_ event: StatusEvent) async {
        await status.publish(event)
    }

    /// The rate limiter whose slot a message may take in the ``Dispatcher`` before it starts — a small wait
    /// there instead of a suspended delivery here — to start with its first slot taken; nil when it starts at
    /// once and its send takes the slot:
    /// - a redelivery: it may have been sent already, and then it takes no slot;
    /// - a message that can expire: its send waits for a slot only while one comes before its expiry;
    /// - one that will not be sent: no tenant, org or sender for it, or a disabled tenant;
    /// - one whose org holds no usable token yet: its send waits for the login, then for a slot
    ///   (``TokenProviding/holdsUsableToken``).
    func slotLimiter(for inbound: BrokerDelivery, message: QueuedMessage?, tenantHint: String?) -> (any RateLimiting)? {
        guard let message, !inbound.delivery.redelivered, message.expiresAt == nil,
              let tenantID = message.tenantId ?? tenantHint, let tenant = registry.tenant(tenantID), tenant.config.enabled,
              let org = tenant.org(named: message.org), org.senders[message.type] != nil,
              org.config.expiry.afterSeconds[message.type] == nil, org.tokens.holdsUsableToken
        else { return nil }
        return org.limiter
    }

    /// The reason an expired message is dead-lettered or parked with (`x-ggw-reason`) and reported with.
    static let expiredReason = "expired"

    /// The expiry settings of the org a message is for; the built-in ones when no configured org takes it
    /// (its own `expiresAt` still counts).
    private func expirySettings(for message: QueuedMessage?, org: OrgKey) -> ExpirySettings {
        registry.tenant(org.tenantID)?.org(named: message?.org)?.config.expiry ?? ConfigDefaults.expiry
    }

    /// Delivers, waiting here — holding one of the org's own prefetch slots — rather than in a retry tier
    /// while the message cannot go yet: the org's circuit is open, Genesys throttles it (a 429, a login-host
    /// outage), or a failed send may be tried again soon and `mayHoldRetry` allows it (the dispatcher allows
    /// it while the conversation holds at most half its org's slots, so one failing conversation cannot stall
    /// the others). Meanwhile the rest of the conversation waits behind it here and the rest of the org's
    /// backlog in the org's queue, in order; no other org is affected. Waiting ends after ``maximumHold``:
    /// the message then goes to a retry tier. Nor does it outlast the message's expiry: a message whose
    /// ``DeliveryRequest/expiresAt`` comes during a pause waits only until then, and comes out expired.
    ///
    /// Through a tier every later message of the conversation follows the failed one there and back (see
    /// ``Dispatcher``), and they overtake one another on the way: in the fault matrix a 60 s Genesys outage
    /// left conversations cycling through the 30 s tier for minutes after it, and a 429 storm cycled the
    /// whole backlog every second. A retry held here uses up its attempt as one through a tier does; if the
    /// gateway stops meanwhile, the redelivered message counts from its last tier's attempt.
    /// - Returns: the last outcome and the attempt it was.
    private func deliverWaitingHere(
        _ request: DeliveryRequest, mayHoldRetry: @Sendable () async -> Bool, messageID: String, org: OrgKey
    ) async -> (DeliveryOutcome, attempt: Int) {
        var request = request
        let started = clock.now()
        while true {
            let outcome = await delivery.deliver(request)
            request.slotTaken = false  // used by that send; any next one waits for its own
            let pause: Duration
            var retried = false
            switch outcome {
            case .notSent(.circuitOpen(let wait)), .throttled(let wait, _, _):
                pause = max(wait, .milliseconds(50))
            case .retry(let after, _, _):
                pause = after
                retried = true
            default:
                return (outcome, request.attempt)
            }
            let now = clock.now()
            let held = now - started
            // Expiring before the pause ends: wait until then only, and no next attempt is announced.
            let lifeLeft = request.expiresAt.map { max($0 - now, .zero) }
            let expiresFirst = lifeLeft.map { $0 <= pause } ?? false
            let wait = min(pause, lifeLeft ?? pause)
            guard held + (retried ? wait : .zero) < Self.maximumHold else { return (outcome, request.attempt) }
            if case .retry(_, let reason, let error) = outcome {
                guard await mayHoldRetry() else { return (outcome, request.attempt) }
                if !expiresFirst {
                    request.attempt += 1
                    await publishRetrying(messageID: messageID, org: org, attempt: request.attempt, in: pause, reason: reason, error: error)
                }
            }
            do {
                try await clock.sleep(for: min(wait, Self.maximumHold - held))
            } catch {
                return (outcome, request.attempt)
            }
        }
    }

    /// Holds the message while the idempotency record cannot be written (a full or failing disk): a message
    /// sent now could not be recognised if it came back, so consuming pauses — every org's messages wait in
    /// their prefetch windows and queues, unacked — until the disk takes writes again; or until the message's
    /// connection went (the broker hands it out again).
    private func receiptsCanBeKept(for inbound: BrokerDelivery) async -> ReceiptKeeping {
        var reported = false
        while let problem = delivery.sent.writeProblem {
            if !reported {
                logger.error("idempotency record cannot be written; sends wait", metadata: ["error": "\(problem)"])
                reported = true
            }
            guard client.generation == inbound.generation else { return .connectionGone }
            do {
                try await clock.sleep(for: Self.receiptRetryInterval)
            } catch {
                return .connectionGone
            }
            await delivery.sent.retryWrites()
        }
        return reported ? .afterWaiting : .now
    }

    /// Whether a message's receipt can be kept: at once, after waiting for the record, or never (its connection went).
    private enum ReceiptKeeping {
        case now, afterWaiting, connectionGone
    }

    /// How often a held message asks whether the idempotency record can be written again.
    static let receiptRetryInterval = Duration.seconds(1)

    /// The longest a message waits in the gateway (for its org's circuit, a throttle or its retry) before it
    /// goes to a retry tier. Well inside RabbitMQ's `consumer_timeout` (30 min by default), past which the
    /// broker would close the channel of a delivery left unacked.
    static let maximumHold = Duration.seconds(300)

    /// The org of the queue `inbound` came from, when that org is no longer configured.
    private func removedOrg(of inbound: BrokerDelivery) -> OrgKey? {
        guard let org = topology.org(ofQueue: inbound.queue) else { return nil }
        return registry.hasOrg(org) ? nil : org
    }

    /// Tenant and org for status routing keys, as well as they can be told before delivery.
    private func orgKey(_ message: QueuedMessage?, tenantHint: String?) -> OrgKey {
        let tenantID = message?.tenantId ?? tenantHint ?? "unknown"
        let orgName = message?.org ?? registry.tenant(tenantID)?.config.defaultOrg?.name ?? "unknown"
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
