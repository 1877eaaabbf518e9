import Foundation
import GatewayConfig
public import GatewayCore
public import Logging
public import OrgServices
import PluginHost
public import PluginKit

/// Gets one queued message into Genesys exactly as Genesys expects, as fast as its org's limits allow, and
/// decides what a refusal means.
///
/// Per message: find tenant and org → the sender plugin builds the request → the org's rate limiter →
/// its circuit breaker → its OAuth token → HTTP → the org's error policy decides. A 401 renews the token
/// and retries once within the same attempt.
public final class DeliveryService: Sendable {
    let registry: TenantRegistry
    private let http: any HTTPClient
    let clock: any MonotonicClock
    let logger: Logger
    private let observer: any GenesysCallObserving
    /// Where delivered messages are recorded (our id → Genesys' ids).
    public let sent: any IdempotencyStore
    /// Ids being sent now, shared by the HTTP API and the queue consumer so neither sends one the other is sending.
    public let inFlight = InFlightMessages()
    /// How long a queued message of a tenant nobody configured waits for it, in retry tiers, before it is
    /// dead-lettered; nil dead-letters it at once. Set where tenants come from a tenant service: a tenant the
    /// service just added is known to one replica (whose API took the message) before the others have polled.
    let unknownTenantWait: Duration?

    /// Between two looks for a tenant not known yet.
    static let unknownTenantRetry = Duration.seconds(5)

    public init(
        registry: TenantRegistry, http: any HTTPClient, clock: any MonotonicClock, logger: Logger,
        sent: any IdempotencyStore = SentMessageLog(), observer: any GenesysCallObserving = IgnoringCallObserver(),
        unknownTenantWait: Duration? = nil
    ) {
        self.unknownTenantWait = unknownTenantWait
        self.observer = observer
        self.registry = registry
        self.http = http
        self.clock = clock
        self.logger = logger
        self.sent = sent
    }

    public func deliver(_ request: DeliveryRequest) async -> DeliveryOutcome {
        let message: QueuedMessage
        switch request.decoded.map(Result.success) ?? QueuedMessage.decode(request.bytes) {
        case .success(let decoded): message = decoded
        case .failure(let failure): return .deadLetter(reason: Self.describe(failure), error: nil)
        }
        switch route(message, tenantHint: request.tenantHint, firstAttemptAt: request.firstAttemptAt) {
        case .failure(let routing):
            return routing.outcome
        case .success(let (org, sender)):
            var logger = self.logger
            logger[metadataKey: "tenant.id"] = "\(org.key.tenantID)"
            logger[metadataKey: "org.name"] = "\(org.key.orgName)"
            logger[metadataKey: "message.id"] = "\(message.id)"
            let outcome = await send(message, bytes: request.bytes, sender: sender, org: org, request: request, logger: logger)
            if case .delivered(let receipt) = outcome { await sent.record(receipt) }
            return outcome
        }
    }

    /// Tenant, org and sender for a message, or the outcome when there is none.
    /// - Parameter firstAttemptAt: when the message was first tried (queued messages): a tenant not known yet is
    ///   waited for from then on, within ``unknownTenantWait``.
    private func route(
        _ message: QueuedMessage, tenantHint: String?, firstAttemptAt: Duration?
    ) -> Result<(OrgRuntime, SenderInstance), RoutingOutcome> {
        guard let tenantID = message.tenantId ?? tenantHint else {
            return .failure(RoutingOutcome(.deadLetter(reason: "message names no tenant (tenantId or AMQP header)", error: nil)))
        }
        guard let tenant = registry.tenant(tenantID) else {
            if let wait = unknownTenantWait, let first = firstAttemptAt, clock.now() - first < wait {
                return .failure(RoutingOutcome(.retry(
                    after: Self.unknownTenantRetry, reason: "unknown tenant '\(tenantID)': waiting for the tenant service to name it",
                    error: nil)))
            }
            return .failure(RoutingOutcome(.deadLetter(reason: "unknown tenant '\(tenantID)'", error: nil)))
        }
        guard tenant.config.enabled else {
            return .failure(RoutingOutcome(.parked(reason: "tenant '\(tenantID)' is disabled")))
        }
        guard let org = tenant.org(named: message.org) else {
            return .failure(RoutingOutcome(.deadLetter(reason: "tenant '\(tenantID)' has no org '\(message.org ?? "(default)")'", error: nil)))
        }
        guard let sender = org.senders[message.type] else {
            if registry.plugins.sender(for: message.type) != nil {
                return .failure(RoutingOutcome(.parked(reason: "message type '\(message.type)' is not enabled for org \(org.key)")))
            }
            return .failure(RoutingOutcome(.deadLetter(reason: "unknown message type '\(message.type)'", error: nil)))
        }
        return .success((org, sender))
    }

    private struct RoutingOutcome: Error {
        var outcome: DeliveryOutcome
        init(_ outcome: DeliveryOutcome) { self.outcome = outcome }
    }

    private func send(
        _ message: QueuedMessage, bytes: [UInt8], sender: SenderInstance, org: OrgRuntime, request: DeliveryRequest,
        logger: Logger
    ) async -> DeliveryOutcome {
        if let expiresAt = request.expiresAt, clock.now() >= expiresAt { return .expired }
        let built: PluginRequest
        if let prebuilt = request.prebuilt {
            built = prebuilt
        } else {
            switch sender.buildRequest(message: bytes, context: org.context) {
            case .success(let value): built = value
            case .failure(let failure): return .deadLetter(reason: Self.describe(failure), error: nil)
            }
        }
        if let exhausted = exhausted(request, org: org) { return exhausted }
        switch await guardedCall(built, org: org, operation: "message", attempt: request.attempt, messageID: message.id,
                                 maxLimiterWait: request.maxLimiterWait, slotTaken: request.slotTaken, expiresAt: request.expiresAt,
                                 isStillWanted: request.isStillWanted, recordsSend: true, logger: logger) {
        case .expired:
            return .expired
        case .refused(let refusal):
            return .notSent(refusal)
        case .alreadySent(let receipt):
            return .alreadyDelivered(receipt)
        case .completed(let result, let possibleDuplicate):
            return decide(result, possibleDuplicate: possibleDuplicate, message: message, org: org, request: request, logger: logger)
        }
    }

    /// Makes one API request to an org's Genesys (a conversation call from the HTTP API) through the same
    /// rate limiter, circuit breaker, token and error policy as queued messages.
    public func call(
        _ request: PluginRequest, org: OrgRuntime, operation: String, maxLimiterWait: Duration, correlation: String
    ) async -> OrgCallResult {
        var logger = self.logger
        logger[metadataKey: "tenant.id"] = "\(org.key.tenantID)"
        logger[metadataKey: "org.name"] = "\(org.key.orgName)"
        logger[metadataKey: "request.id"] = "\(correlation)"
        switch await guardedCall(request, org: org, operation: operation, attempt: 1, messageID: correlation,
                                 maxLimiterWait: maxLimiterWait, logger: logger) {
        case .refused(let refusal):
            return .refused(refusal)
        case .expired, .alreadySent:
            // These calls carry no expiry and record no send, so neither comes; were one to, nothing was sent.
            return .refused(.cancelled)
        case .completed(let result, _):
            if let response = result.response, (200..<300).contains(response.status) { return .answered(response) }
            if let error = result.error { return .failed(error, retryAfter: result.retryAfterHint ?? result.response?.retryAfter) }
            return .unavailable(reason: result.decision.reason, retryAfter: result.retryAfterHint)
        }
    }

    private enum GuardedCall {
        case refused(CallRefusal)
        /// Not sent: `expiresAt` came first (see ``DeliveryRequest/expiresAt``).
        case expired
        /// Not sent: the idempotency record held a receipt when the send was to start (``SendStart/alreadySent(_:)``).
        case alreadySent(DeliveryReceipt)
        /// - possibleDuplicate: another run's unfinished send was found as this one started (``SendStart/possiblySentElsewhere``).
        case completed(GenesysCall.Result, possibleDuplicate: Bool)
    }

    /// Rate limiter → circuit breaker → token → HTTP → error policy, with the breaker told the outcome. A
    /// refused token is renewed and the request sent once more, through the limiter and the breaker again: when
    /// many tokens expire at once their resends keep the org's rate.
    /// - Parameter recordsSend: a message send: the idempotency record notes it starting (and ending unaccepted),
    ///   so a send cut short by a crash is known after the restart; a receipt it holds by then stops the send.
    /// - Parameter slotTaken: the limiter already gave the first send its slot (the resend takes its own).
    private func guardedCall(
        _ request: PluginRequest, org: OrgRuntime, operation: String, attempt: Int, messageID: String, maxLimiterWait: Duration?,
        slotTaken: Bool = false, expiresAt: Duration? = nil, isStillWanted: (@Sendable () -> Bool)? = nil, recordsSend: Bool = false,
        logger: Logger
    ) async -> GuardedCall {
        let first = await guardedSend(
            request, org: org, operation: operation, attempt: attempt, messageID: messageID, maxLimiterWait: maxLimiterWait,
            slotTaken: slotTaken, expiresAt: expiresAt, isStillWanted: isStillWanted, recordsSend: recordsSend, logger: logger)
        guard case .completed(let result, _) = first, result.decision.action == .refreshTokenAndRetry else { return first }
        logger.info("token refused, renewing and sending once more", metadata: ["genesys.correlation_id": "\(result.response?.correlationID ?? "")"])
        return await guardedSend(
            request, org: org, operation: operation, attempt: attempt, messageID: messageID, maxLimiterWait: maxLimiterWait,
            slotTaken: false, expiresAt: expiresAt, isStillWanted: isStillWanted, recordsSend: recordsSend, logger: logger)
    }

    /// - Parameters:
    ///   - slotTaken: the limiter already gave this send its slot: it goes straight to the breaker, unless it must
    ///     wait for the org's token first (then it takes a fresh slot).
    ///   - expiresAt: no slot is waited for past it (a slot that would come later means the message expires
    ///     first), and it is checked once more after the limiter and the breaker, right before the send.
    private func guardedSend(
        _ request: PluginRequest, org: OrgRuntime, operation: String, attempt: Int, messageID: String, maxLimiterWait: Duration?,
        slotTaken: Bool, expiresAt: Duration?, isStillWanted: (@Sendable () -> Bool)?, recordsSend: Bool, logger: Logger
    ) async -> GuardedCall {
        var slotTaken = slotTaken
        if !org.tokens.holdsUsableToken {
            // The org's login comes first (its first send, or a renewal after Genesys refused the token): a slot
            // taken before that wait would be stale when the token comes, and the sends that waited with one would
            // leave together, over the org's rate. A failed login is reported by the send's own `token()` call.
            _ = try? await org.tokens.token()
            slotTaken = false
        }
        if !slotTaken, let refusal = await waitForSlot(org: org, maxLimiterWait: maxLimiterWait, expiresAt: expiresAt) { return refusal }
        let probe: Bool
        switch await org.breaker.permission() {
        case .rejected(let retryAfter):
            return .refused(.circuitOpen(retryAfter: retryAfter))
        case .allowed(let isProbe):
            probe = isProbe
        }
        if let expiresAt, clock.now() >= expiresAt {
            await org.breaker.record(.ignored, probe: probe)
            return .expired
        }
        if let isStillWanted, !isStillWanted() {
            await org.breaker.record(.ignored, probe: probe)
            return .refused(.cancelled)
        }
        let start = recordsSend ? await sent.sendStarting(messageID, tenantID: org.key.tenantID) : .clear
        if case .alreadySent(let receipt) = start {
            await org.breaker.record(.ignored, probe: probe)
            return .alreadySent(receipt)
        }
        let call = GenesysCall(org: org, http: http, clock: clock, logger: logger, observer: observer, operation: operation)
        let result = await call.perform(request, attempt: attempt, messageID: messageID)
        if recordsSend, result.decision.action != .delivered { await sent.sendEnded(messageID, tenantID: org.key.tenantID) }
        await org.breaker.record(result.breakerOutcome, probe: probe)
        return .completed(result, possibleDuplicate: start == .possiblySentElsewhere)
    }

    /// Waits for the org's next slot, at most `maxLimiterWait` and never past `expiresAt`; nil once it has one.
    private func waitForSlot(org: OrgRuntime, maxLimiterWait: Duration?, expiresAt: Duration?) async -> GuardedCall? {
        let lifeLeft = expiresAt.map { max($0 - clock.now(), .zero) }
        do {
            if let bound = [maxLimiterWait, lifeLeft].compactMap({ $0 }).min() {
                if case .refused(let retryAfter) = try await org.limiter.acquire(maxWait: bound) {
                    if let lifeLeft, retryAfter >= lifeLeft { return .expired }
                    return .refused(.rateLimited(retryAfter: retryAfter))
                }
            } else {
                try await org.limiter.acquire()
            }
            return nil
        } catch {
            return .refused(.cancelled)
        }
    }

    /// Dead-letters a message that used up its attempts or its retry time.
    private func exhausted(_ request: DeliveryRequest, org: OrgRuntime) -> DeliveryOutcome? {
        if request.attempt > org.config.retry.maxAttempts {
            return .deadLetter(reason: "gave up after \(org.config.retry.maxAttempts) attempts", error: nil)
        }
        if let first = request.firstAttemptAt, clock.now() - first > .seconds(org.config.retry.maxRetryDurationSeconds) {
            return .deadLetter(reason: "gave up after retrying for \(org.config.retry.maxRetryDurationSeconds) s", error: nil)
        }
        return nil
    }

    /// - Parameter possibleDuplicate: see ``DeliveryReceipt/possibleDuplicate``.
    private func decide(
        _ result: GenesysCall.Result, possibleDuplicate: Bool, message: QueuedMessage, org: OrgRuntime, request: DeliveryRequest,
        logger: Logger
    ) -> DeliveryOutcome {
        let decision = result.decision
        switch decision.action {
        case .delivered:
            let accepted = result.response.flatMap { AcceptedMessage($0.body) }
            var receipt = DeliveryReceipt(
                messageID: message.id, org: org.key, genesysMessageID: accepted?.id, conversationID: accepted?.conversationId,
                correlationID: result.response?.correlationID, genesysDuration: result.response?.duration ?? .zero)
            receipt.possibleDuplicate = possibleDuplicate
            return .delivered(receipt)
        case .deadLetter:
            logger.warning("dead-lettering", metadata: Self.metadata(decision.reason, result.error))
            return .deadLetter(reason: decision.reason, error: result.error)
        case .retry, .refreshTokenAndRetry:
            let delay: Duration
            if let milliseconds = decision.retryAfterMilliseconds {
                delay = min(.milliseconds(milliseconds), .seconds(org.config.retry.retryAfterCapSeconds))
            } else {
                delay = result.retryAfterHint ?? org.backoff.delay(attempt: request.attempt)
            }
            if result.isThrottle {
                logger.info("throttled, will send again (no attempt used)", metadata: Self.metadata(decision.reason, result.error).merging(["retry.in.ms": "\(delay.millisecondsRoundedUp)"]) { $1 })
                return .throttled(after: delay, reason: decision.reason, error: result.error)
            }
            if request.attempt >= org.config.retry.maxAttempts {
                logger.warning("out of attempts, dead-lettering", metadata: Self.metadata(decision.reason, result.error))
                return .deadLetter(reason: "gave up after \(request.attempt) attempts: \(decision.reason)", error: result.error)
            }
            logger.info("will retry", metadata: Self.metadata(decision.reason, result.error).merging(["retry.in.ms": "\(delay.millisecondsRoundedUp)"]) { $1 })
            return .retry(after: delay, reason: decision.reason, error: result.error)
        }
    }

    private static func metadata(_ reason: String, _ error: GenesysError?) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["reason": "\(reason)"]
        if let error {
            metadata["genesys.status"] = "\(error.status)"
            if let code = error.code { metadata["genesys.code"] = "\(code)" }
            if let correlation = error.correlationID { metadata["genesys.correlation_id"] = "\(correlation)" }
        }
        return metadata
    }

    /// `invalid message: <field>: <reason>`, the reason a message that fails a check is dead-lettered with.
    package static func describe(_ failure: ValidationFailure) -> String {
        failure.field.isEmpty ? "invalid message: \(failure.reason)" : "invalid message: \(failure.field): \(failure.reason)"
    }

    /// The parts of Genesys' OpenMessageNormalizedMessage the receipt keeps.
    /// The ids in Genesys' answer to an accepted message.
    private struct AcceptedMessage {
        var id: String?
        var conversationId: String?

        /// Nil when the body is not a JSON object or either id is not a string: the message was still accepted.
        init?(_ body: [UInt8]) {
            do {
                let fields = try JSONFields(document: JSONReader.read(body))
                id = try fields.optionalString("id")
                conversationId = try fields.optionalString("conversationId")
            } catch {
                return nil
            }
        }
    }
}
