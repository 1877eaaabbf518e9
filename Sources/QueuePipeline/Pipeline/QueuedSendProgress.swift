import GatewayCore
import GatewayDelivery
import OrgServices

/// What a queued message's send tells its status stream, and the dispatcher's say on whether a failed send may
/// wait for its retry in the gateway (see ``Dispatcher``: while its conversation holds at most half its org's
/// slots).
struct QueuedSendProgress: SendProgress {
    let status: any StatusSink
    let messageID: String
    let org: OrgKey
    /// The message's first attempt, not a copy coming back from a retry tier: its send starting is reported as
    /// `accepted` (once per message, not per redelivery through a tier).
    let announcesAcceptance: Bool
    let mayHold: @Sendable () async -> Bool

    func starting() async {
        guard announcesAcceptance else { return }
        await status.publish(StatusEvent(status: .accepted, messageId: messageID, tenantId: org.tenantID, org: org.orgName))
    }

    func mayHoldRetry() async -> Bool {
        await mayHold()
    }

    func retryHeld(attempt: Int, after delay: Duration, reason: String, error: GenesysError?) async {
        await status.publish(.retrying(messageID: messageID, org: org, attempt: attempt, in: delay, reason: reason, error: error))
    }
}
