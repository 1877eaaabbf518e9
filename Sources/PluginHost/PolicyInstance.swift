import PluginAPI
public import PluginKit

/// One configured instance of an error-policy plugin. Owns the handle and destroys it in `deinit`.
public final class PolicyInstance: @unchecked Sendable {
    // The ABI requires plugins to accept concurrent calls on one instance; the handle itself never changes.
    private let instance: UnsafeMutableRawPointer?
    private let decideFunction: ggw_on_policy_decide
    private let destroyFunction: ggw_on_instance_destroy?
    public let plugin: String

    init(
        plugin: String, instance: UnsafeMutableRawPointer?, decide: @escaping ggw_on_policy_decide,
        destroy: ggw_on_instance_destroy?
    ) {
        self.plugin = plugin
        self.instance = instance
        self.decideFunction = decide
        self.destroyFunction = destroy
    }

    deinit {
        destroyFunction?(instance)
    }

    /// Asks the policy what `response` means. An answer outside the ABI's actions is treated as a
    /// dead-letter, so a broken policy can never make the host loop.
    public func decide(_ response: PolicyResponse) -> PolicyDecision {
        var decision = ggw_type_decision()
        decision.struct_size = UInt32(MemoryLayout<ggw_type_decision>.size)
        var correlation = response.correlationID
        correlation.withUTF8 { correlationBytes in
            response.body.withUnsafeBufferPointer { bodyBytes in
                var raw = ggw_type_response()
                raw.struct_size = UInt32(MemoryLayout<ggw_type_response>.size)
                // Clamped: the ABI's fields are 32-bit, and a value beyond them must not trap the host.
                raw.status_code = Int32(clamping: response.statusCode)
                raw.transport_error = response.transport.rawValue
                raw.retry_after_ms = response.retryAfterMilliseconds ?? -1
                raw.attempt = UInt32(clamping: max(response.attempt, 1))
                raw.correlation_id = ggw_type_str(
                    ptr: UnsafeRawPointer(correlationBytes.baseAddress)?.assumingMemoryBound(to: CChar.self),
                    len: correlationBytes.count)
                raw.body = ggw_type_str(
                    ptr: UnsafeRawPointer(bodyBytes.baseAddress)?.assumingMemoryBound(to: CChar.self), len: bodyBytes.count)
                decideFunction(instance, &raw, &decision)
            }
        }
        let reason = PluginText.fixedString(&decision.reason)
        guard let action = PolicyDecision.Action(rawValue: decision.action) else {
            return PolicyDecision(
                action: .deadLetter, reason: "error policy '\(plugin)' returned unknown action \(decision.action): \(reason)")
        }
        return PolicyDecision(
            action: action, retryAfterMilliseconds: decision.retry_after_ms >= 0 ? decision.retry_after_ms : nil,
            countsAsBreakerFailure: decision.breaker_failure != 0, reason: reason)
    }
}
