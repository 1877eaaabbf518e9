import GatewayConfig
public import GatewayCore
import Logging
public import OrgServices
public import PluginKit

/// A message's whole send, behind one call for each caller: its id claimed against every other send of it, the
/// idempotency record asked for an earlier receipt, the org's slot (taken ahead or here), the send, and the
/// waits in the gateway a queued message makes for its circuit, a throttle or its retry. The queue consumer
/// (``sendQueued(_:redelivered:progress:)``) and the HTTP API (``sendNow(_:)``) pass a message and get its outcome.
extension DeliveryService {
    /// Sends a message taken from an org queue, waiting here while it cannot go yet:
    /// - while another send holds its id (the HTTP API's, or a redelivery of it), it waits its turn, then finds
    ///   that send's receipt in the idempotency record;
    /// - while the record cannot be written (a full or failing disk) — a message sent then could not be
    ///   recognised if it came back — until it can, or until the message's connection is gone;
    /// - while its org's circuit is open or Genesys throttles it, and, as `progress` allows, for a retry after a
    ///   failed send (see ``holdingSend(_:progress:)``).
    ///
    /// `request.slotTaken` is honoured only while the send follows at once: after any wait here the slot is
    /// stale (the org's other messages kept taking slots meanwhile) and the send takes a fresh one.
    /// - Parameter redelivered: the broker handed it out before: a send of it a crash cut short (the record
    ///   shows it started, not ended) makes the receipt ``DeliveryReceipt/possibleDuplicate``.
    /// - Returns: the last outcome and the attempt it came from. ``DeliveryOutcome/notSent(_:)`` with
    ///   ``CallRefusal/cancelled`` when `request.isStillWanted` said no: not sent, the broker hands it out again.
    public func sendQueued(
        _ request: DeliveryRequest, redelivered: Bool, progress: any SendProgress
    ) async -> (outcome: DeliveryOutcome, attempt: Int) {
        var request = request
        // Not decodable, or for no tenant: never claimed nor looked up in any tenant's record (a receipt of a
        // tenant's own message with the same id would pass it off as sent); the send names what is wrong with it.
        guard let message = request.decoded, let tenantID = message.tenantId ?? request.tenantHint else {
            return await sendClaimed(request, messageID: nil, tenantID: "", redelivered: false, progress: progress)
        }
        if await inFlight.claim(message.id, tenantID: tenantID) { request.slotTaken = false }
        let result = await sendClaimed(request, messageID: message.id, tenantID: tenantID, redelivered: redelivered, progress: progress)
        inFlight.end(message.id, tenantID: tenantID)
        return result
    }

    /// Sends a message now, for a caller waiting on the answer (`POST /v1/messages`): once, without waiting for a
    /// retry, refused at once while another send holds its id. A message the idempotency record shows sent is
    /// not sent again: ``DeliveryOutcome/alreadyDelivered(_:)`` carries the earlier receipt.
    /// - Parameter request: with ``DeliveryRequest/decoded`` set (its id is the idempotency key).
    public func sendNow(_ request: DeliveryRequest) async throws(MessageIDInUse) -> DeliveryOutcome {
        guard let message = request.decoded, let tenantID = message.tenantId ?? request.tenantHint else { return await deliver(request) }
        guard inFlight.begin(message.id, tenantID: tenantID) else {
            throw MessageIDInUse(messageID: message.id, tenantID: tenantID)
        }
        // Looked up once this call owns the id, so a send finishing meanwhile is seen.
        let outcome: DeliveryOutcome
        if let earlier = await sent.receipt(for: message.id, tenantID: tenantID) {
            outcome = .alreadyDelivered(earlier)
        } else {
            outcome = await deliver(request)
        }
        inFlight.end(message.id, tenantID: tenantID)
        return outcome
    }

    private func sendClaimed(
        _ request: DeliveryRequest, messageID: String?, tenantID: String, redelivered: Bool, progress: any SendProgress
    ) async -> (outcome: DeliveryOutcome, attempt: Int) {
        if let messageID, let receipt = await sent.receipt(for: messageID, tenantID: tenantID) {
            return (.alreadyDelivered(receipt), request.attempt)
        }
        var request = request
        switch await receiptsCanBeKept(isStillWanted: request.isStillWanted) {
        case .now: break
        case .afterWaiting: request.slotTaken = false
        case .wantedNoMore: return (.notSent(.cancelled), request.attempt)
        }
        let interrupted = if redelivered, let messageID { await sent.wasInterrupted(messageID, tenantID: tenantID) } else { false }
        await progress.starting()
        let (outcome, attempt) = await holdingSend(request, progress: progress)
        guard interrupted, case .delivered(var receipt) = outcome else { return (outcome, attempt) }
        receipt.possibleDuplicate = true
        return (.delivered(receipt), attempt)
    }

    /// Delivers, waiting here — holding one of the org's own prefetch slots — rather than in a retry tier
    /// while the message cannot go yet: the org's circuit is open, Genesys throttles it (a 429, a login-host
    /// outage), or a failed send may be tried again soon and `progress` allows it (the dispatcher allows it
    /// while the conversation holds at most half its org's slots, so one failing conversation cannot stall
    /// the others). Meanwhile the rest of the conversation waits behind it and the rest of the org's backlog
    /// in the org's queue, in order; no other org is affected. Waiting ends after ``maximumHold``: the message
    /// then goes to a retry tier. Nor does it outlast the message's expiry: a message whose
    /// ``DeliveryRequest/expiresAt`` comes during a pause waits only until then, and comes out expired.
    ///
    /// Through a tier every later message of the conversation follows the failed one there and back, and they
    /// overtake one another on the way: in the fault matrix a 60 s Genesys outage left conversations cycling
    /// through the 30 s tier for minutes after it, and a 429 storm cycled the whole backlog every second. A
    /// retry held here uses up its attempt as one through a tier does; if the gateway stops meanwhile, the
    /// redelivered message counts from its last tier's attempt.
    private func holdingSend(_ request: DeliveryRequest, progress: any SendProgress) async -> (DeliveryOutcome, attempt: Int) {
        var request = request
        let started = clock.now()
        while true {
            let outcome = await deliver(request)
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
                guard await progress.mayHoldRetry() else { return (outcome, request.attempt) }
                if !expiresFirst {
                    request.attempt += 1
                    await progress.retryHeld(attempt: request.attempt, after: pause, reason: reason, error: error)
                }
            }
            do {
                try await clock.sleep(for: min(wait, Self.maximumHold - held))
            } catch {
                return (outcome, request.attempt)
            }
        }
    }

    /// Waits while the idempotency record cannot be written, until it can or `isStillWanted` says no.
    private func receiptsCanBeKept(isStillWanted: (@Sendable () -> Bool)?) async -> ReceiptKeeping {
        var reported = false
        while let problem = sent.writeProblem {
            if !reported {
                logger.error("idempotency record cannot be written; sends wait", metadata: ["error": "\(problem)"])
                reported = true
            }
            if let isStillWanted, !isStillWanted() { return .wantedNoMore }
            do {
                try await clock.sleep(for: Self.receiptRetryInterval)
            } catch {
                return .wantedNoMore
            }
            await sent.retryWrites()
        }
        return reported ? .afterWaiting : .now
    }

    /// Whether a message's receipt can be kept: at once, after waiting for the record, or no longer asked (its
    /// connection went, or shutting down).
    private enum ReceiptKeeping {
        case now, afterWaiting, wantedNoMore
    }

    /// How often a held message asks whether the idempotency record can be written again.
    public static let receiptRetryInterval = Duration.seconds(1)

    /// The longest a message waits in the gateway (for its org's circuit, a throttle or its retry) before it
    /// goes to a retry tier. Well inside RabbitMQ's `consumer_timeout` (30 min by default), past which the
    /// broker would close the channel of a delivery left unacked.
    public static let maximumHold = Duration.seconds(300)

    /// The rate limiter whose slot a queued message may take before its send starts — a small wait in the
    /// caller instead of a suspended send here — to start with ``DeliveryRequest/slotTaken``; nil when it starts
    /// at once and its send takes the slot:
    /// - a redelivery: it may have been sent already, and then it takes no slot;
    /// - a message that can expire: its send waits for a slot only while one comes before its expiry;
    /// - one that will not be sent: no tenant, org or sender for it, or a disabled tenant;
    /// - one whose org holds no usable token yet: its send waits for the login, then for a slot
    ///   (``TokenProviding/holdsUsableToken``).
    public func slotLimiter(for message: QueuedMessage?, tenantHint: String?, redelivered: Bool) -> (any RateLimiting)? {
        guard let message, !redelivered, message.expiresAt == nil,
              let tenantID = message.tenantId ?? tenantHint, let tenant = registry.tenant(tenantID), tenant.config.enabled,
              let org = tenant.org(named: message.org), org.senders[message.type] != nil,
              org.config.expiry.afterSeconds[message.type] == nil, org.tokens.holdsUsableToken
        else { return nil }
        return org.limiter
    }
}

/// What a queued message's sender hears of its send, and the one thing it decides: whether a failed send may
/// wait for its retry in the gateway (see ``DeliveryService/sendQueued(_:redelivered:progress:)``).
public protocol SendProgress: Sendable {
    /// The message is not sent yet (no receipt) and its first send here starts now.
    func starting() async
    /// Asked when a send failed and may be tried again: true lets it wait for the retry here, false ends the
    /// send with its ``DeliveryOutcome/retry(after:reason:error:)`` (the caller then uses a retry tier).
    func mayHoldRetry() async -> Bool
    /// A failed send will be tried again here as `attempt`, after `delay`.
    func retryHeld(attempt: Int, after delay: Duration, reason: String, error: GenesysError?) async
}

/// `POST /v1/messages` refused: another send of this id (another request, or the queue) is under way.
public struct MessageIDInUse: Error, Sendable, Equatable {
    public var messageID: String
    public var tenantID: String
}
