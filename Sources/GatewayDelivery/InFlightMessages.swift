import OrgServices
import Synchronization

/// Message ids being sent right now, per tenant, by the HTTP API and the queue consumer alike.
///
/// The idempotency record only knows a message once Genesys took it; a message sent through
/// `POST /v1/messages` while the same id waits in its org's queue (or a client retrying while its first
/// request still waits on the limiter or on Genesys) would otherwise be sent twice. Claimed with a lock, not
/// an actor: every queued message passes here twice, and an uncontended claim must not cost a task hop.
public final class InFlightMessages: Sendable {
    /// Bounded: by the sends in flight (the org queues' prefetch and the API's requests).
    private struct State {
        var claimed: Set<String> = []
        /// Queued messages waiting for an id another send holds, first come first served.
        var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Claims the id if nobody holds it: true when the caller may send it (the API answers 409 otherwise).
    public func begin(_ messageID: String, tenantID: String) -> Bool {
        let key = DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)
        return state.withLock { $0.claimed.insert(key).inserted }
    }

    /// Claims the id, waiting while another send holds it (a queued message waits; it is not refused).
    /// - Returns: true when it had to wait.
    @discardableResult
    public func claim(_ messageID: String, tenantID: String) async -> Bool {
        let key = DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)
        if state.withLock({ $0.claimed.insert(key).inserted }) { return false }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let free = state.withLock { state -> Bool in
                if state.claimed.insert(key).inserted { return true }
                state.waiters[key, default: []].append(continuation)
                return false
            }
            if free { continuation.resume() }
        }
        return true
    }

    /// Lets the id go: to the next waiter, which then holds it, or free.
    public func end(_ messageID: String, tenantID: String) {
        let key = DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard var queue = state.waiters[key], !queue.isEmpty else {
                state.claimed.remove(key)
                return nil
            }
            let first = queue.removeFirst()
            state.waiters[key] = queue.isEmpty ? nil : queue
            return first
        }
        next?.resume()
    }
}
