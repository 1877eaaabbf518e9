import Foundation
public import GatewayCore
public import GatewayDelivery
public import Logging
import OrgServices

/// Tells Genesys that an agent message the webhook accepted never reached the channel side.
public protocol UndeliveredMessageReporting: Sendable {
    /// Reports `message` as failed. Returns at once: the webhook answers Genesys without waiting for it; the
    /// report runs among the gateway's ``MessageJobs``, whose shutdown waits for it.
    func reportUndelivered(_ message: InboundAgentMessage, reason: String)
}

/// Sends a `Failed` receipt for an agent message through the delivery core — the `receipt` sender plugin,
/// the org's rate limiter, circuit breaker and token, exactly like a queued receipt — so the agent sees
/// the message failed instead of a chat that silently lost it.
///
/// The receipt is sent directly rather than queued: it is needed precisely when the broker would not take the
/// agent message. It is tried up to `maxAttempts` times, waiting as the delivery core says between tries;
/// an org that has not enabled message type `receipt` gets none, and the loss is logged.
public struct FailedReceiptReporter: UndeliveredMessageReporting {
    private let delivery: DeliveryService
    private let jobs: MessageJobs
    private let clock: any MonotonicClock
    private let logger: Logger
    private let maxAttempts: Int
    private let longestWait: Duration

    /// - Parameters:
    ///   - delivery: the gateway's delivery core.
    ///   - jobs: where the tries run (the gateway's, so that its shutdown waits for them).
    ///   - clock: what waits between attempts use.
    ///   - maxAttempts: tries before giving up (a receipt for a failure is worth a few, not a retry queue).
    ///   - longestWait: the longest pause between tries, whatever Genesys asks.
    public init(
        delivery: DeliveryService, jobs: MessageJobs, clock: any MonotonicClock, logger: Logger, maxAttempts: Int = 3, longestWait: Duration = .seconds(30)
    ) {
        self.delivery = delivery
        self.jobs = jobs
        self.clock = clock
        self.logger = logger
        self.maxAttempts = max(1, maxAttempts)
        self.longestWait = longestWait
    }

    public func reportUndelivered(_ message: InboundAgentMessage, reason: String) {
        let bytes = Self.receipt(for: message, reason: reason, at: Date())
        var logger = self.logger
        logger[metadataKey: "tenant.id"] = "\(message.tenantId)"
        logger[metadataKey: "org.name"] = "\(message.org)"
        logger[metadataKey: "genesys.message_id"] = "\(message.genesysMessageId)"
        jobs.spawn { [delivery, clock, maxAttempts, longestWait, logger] in
            for attempt in 1...maxAttempts {
                let outcome = await delivery.deliver(DeliveryRequest(bytes: bytes, attempt: attempt, tenantHint: message.tenantId))
                switch outcome {
                case .delivered, .alreadyDelivered:
                    logger.info("told Genesys the agent message failed")
                    return
                case .retry(let after, let why, _) where attempt < maxAttempts, .throttled(let after, let why, _) where attempt < maxAttempts:
                    logger.debug("failed-receipt will retry", metadata: ["reason": "\(why)"])
                    do { try await clock.sleep(for: min(after, longestWait)) } catch { return }
                case .notSent(let refusal) where attempt < maxAttempts:
                    logger.debug("failed-receipt will retry", metadata: ["reason": "\(refusal.reason)"])
                    do { try await clock.sleep(for: min(refusal.retryAfter, longestWait)) } catch { return }
                default:
                    logger.error("could not tell Genesys the agent message failed", metadata: ["outcome": "\(outcome)"])
                    return
                }
            }
        }
    }

    /// The queued-message form of a `Failed` receipt (message type `receipt`, schemas/outbound-message.schema.json).
    static func receipt(for message: InboundAgentMessage, reason: String, at time: Date) -> [UInt8] {
        let receipt = QueuedReceipt(
            id: "webhook-failed-\(message.genesysMessageId)", tenantId: message.tenantId, org: message.org,
            genesysMessageId: message.genesysMessageId, customerId: message.customerId, conversationId: message.conversationId,
            reasons: [.init(code: "GeneralError", message: reason)], createdAt: StatusEvent.format(time))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(receipt)).map(Array.init) ?? []
    }

    private struct QueuedReceipt: Encodable {
        var id: String
        var tenantId: String
        var org: String
        var type = "receipt"
        var genesysMessageId: String
        var customerId: String
        var conversationId: String?
        var status = "Failed"
        var reasons: [InboundAgentMessage.Reason]
        var isFinalReceipt = true
        var createdAt: String
    }
}
