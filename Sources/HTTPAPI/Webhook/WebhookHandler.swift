import Foundation
import GatewayConfig
public import GatewayCore
public import Logging
public import OrgServices

/// Takes one call of Genesys' outbound webhook (`POST /webhooks/genesys/{tenant}/{org}`) from raw bytes to
/// a ``WebhookResult``; the HTTP route only maps the result to a status.
///
/// In order: find the org and its webhook secret → verify the signature (nothing else looks at an unsigned
/// body) → tenant enabled → normalize → deduplicate → publish to `genesys.inbound`, waiting at most
/// `publishTimeout` for the broker's confirm so Genesys has its answer well within its 10 s.
///
/// A signed, well-formed message is always answered 2xx once taken (API.md: a non-2xx for a message we
/// merely failed to forward fails the chat). It is remembered as taken before publishing, and stays so
/// when the publish fails: Genesys is told with a `Failed` receipt instead of being asked to retry, so one
/// agent message never reaches the customer twice.
public struct WebhookHandler: Sendable {
    private let registry: TenantRegistry
    private let publisher: any InboundPublishing
    private let deduplicator: any WebhookDeduplicating
    /// Told which of an org's secrets signed an accepted call (0: the first listed), for the rotation metric.
    private let onSignatureMatched: @Sendable (OrgKey, Int) -> Void
    private let undelivered: any UndeliveredMessageReporting
    private let normalizer: AgentMessageNormalizer
    private let jobs: MessageJobs
    private let clock: any MonotonicClock
    private let publishTimeout: Duration
    private let logger: Logger

    /// - Parameters:
    ///   - registry: the tenants and orgs; an org's `webhookSecret` is its signing key.
    ///   - publisher: where normalized messages go (``InboundPublisher`` in production).
    ///   - deduplicator: remembers the messages already taken.
    ///   - undelivered: tells Genesys about a message that could not be forwarded (``FailedReceiptReporter``).
    ///   - jobs: where a publish the broker confirms only after the answer is followed up (the gateway's, so that
    ///     its shutdown waits for the confirm).
    ///   - clock: measures the publish bound.
    ///   - publishTimeout: how long to wait for the broker before answering anyway.
    public init(
        registry: TenantRegistry, publisher: any InboundPublishing, deduplicator: any WebhookDeduplicating,
        undelivered: any UndeliveredMessageReporting, jobs: MessageJobs, clock: any MonotonicClock, logger: Logger,
        publishTimeout: Duration = .seconds(5), normalizer: AgentMessageNormalizer = AgentMessageNormalizer(),
        onSignatureMatched: @escaping @Sendable (OrgKey, Int) -> Void = { _, _ in }
    ) {
        self.onSignatureMatched = onSignatureMatched
        self.registry = registry
        self.publisher = publisher
        self.deduplicator = deduplicator
        self.undelivered = undelivered
        self.jobs = jobs
        self.normalizer = normalizer
        self.clock = clock
        self.publishTimeout = publishTimeout
        self.logger = logger
    }

    /// Handles one webhook call.
    /// - Parameters:
    ///   - tenantID: the `{tenant}` path segment.
    ///   - orgName: the `{org}` path segment.
    ///   - signature: the `X-Hub-Signature-256` header, nil when absent.
    ///   - body: the raw body, exactly as received.
    public func handle(tenantID: String, orgName: String, signature: String?, body: [UInt8]) async -> WebhookResult {
        var logger = self.logger
        logger[metadataKey: "tenant.id"] = "\(tenantID)"
        logger[metadataKey: "org.name"] = "\(orgName)"
        let result = await process(tenantID: tenantID, orgName: orgName, signature: signature, body: body, logger: &logger)
        switch result {
        case .accepted, .duplicate:
            logger.debug("\(result)")
        case .forwardFailed, .forwardUnconfirmed:
            logger.error("\(result)")
        case .unauthorized, .unknownOrg, .tenantDisabled, .invalidBody:
            logger.warning("webhook refused", metadata: ["reason": "\(result)", "http.status": "\(result.httpStatus)"])
        }
        return result
    }

    private func process(
        tenantID: String, orgName: String, signature: String?, body: [UInt8], logger: inout Logger
    ) async -> WebhookResult {
        guard let tenant = registry.tenant(tenantID) else {
            return unknownOrg("unknown tenant '\(tenantID)'", signature: signature, body: body)
        }
        guard let org = tenant.orgs[orgName] else {
            return unknownOrg("tenant '\(tenantID)' has no org '\(orgName)'", signature: signature, body: body)
        }
        guard !org.webhookSecrets.isEmpty else {
            return unknownOrg("org \(org.key) has no webhookSecret, so it takes no webhooks", signature: signature, body: body)
        }
        do {
            let matched = try WebhookSignature.verify(header: signature, body: body, secrets: org.webhookSecrets)
            onSignatureMatched(org.key, matched)
        } catch {
            return .unauthorized(error)
        }
        guard tenant.config.enabled else { return .tenantDisabled }
        let message: InboundAgentMessage
        do {
            message = try normalizer.normalize(body, org: org.key, receivedAt: Date())
        } catch {
            return .invalidBody(error)
        }
        logger[metadataKey: "genesys.message_id"] = "\(message.genesysMessageId)"
        guard await deduplicator.claim(.init(org: org.key, genesysMessageID: message.genesysMessageId)) else {
            return .duplicate(genesysMessageID: message.genesysMessageId)
        }
        let publishing = Task { [publisher] () -> String? in
            do {
                try await publisher.publish(message)
                return nil
            } catch {
                return "\(error)"
            }
        }
        switch await BoundedWait.value(of: publishing, within: publishTimeout, clock: clock) {
        case .some(nil):
            return .accepted(genesysMessageID: message.genesysMessageId)
        case .some(let failure?):
            reportUndelivered(message)
            return .forwardFailed(genesysMessageID: message.genesysMessageId, reason: failure)
        case nil:
            let logger = logger
            jobs.spawn {
                if let failure = await publishing.value {
                    logger.error("agent message finally not forwarded", metadata: ["reason": "\(failure)"])
                    reportUndelivered(message)
                } else {
                    logger.info("agent message confirmed by the broker after the webhook answered")
                }
            }
            return .forwardUnconfirmed(genesysMessageID: message.genesysMessageId)
        }
    }

    /// Refuses a URL that names no webhook-taking org after the same HMAC work as a real one, so the answer's
    /// timing does not tell an unsigned caller which tenants and orgs exist either.
    private func unknownOrg(_ reason: String, signature: String?, body: [UInt8]) -> WebhookResult {
        _ = try? WebhookSignature.verify(header: signature, body: body, secrets: [])
        return .unknownOrg(reason: reason)
    }

    /// Genesys takes receipts for its agents' messages only: a lost Genesys receipt or typing event is just logged.
    private func reportUndelivered(_ message: InboundAgentMessage) {
        guard message.kind != "receipt", message.kind != "event" else { return }
        undelivered.reportUndelivered(message, reason: Self.failedReason(kind: message.kind))
    }

    /// The `Failed` receipt's reason text: what the agent's side may see, so it names no internals (the
    /// broker's error is in the gateway's log).
    static func failedReason(kind: String) -> String {
        "the gateway could not forward the \(kind) message to the customer's channel"
    }
}
