import GatewayCore
import Synchronization

/// When the token a store holds expires, readable from any thread without waiting for the store's actor: the
/// send path asks ``TokenProviding/holdsUsableToken`` for every message, and an actor hop each time would cost
/// more than the answer.
final class HeldTokenExpiry: Sendable {
    private let expiresAt = Mutex<Duration?>(nil)
    private let clock: any MonotonicClock

    init(clock: any MonotonicClock) {
        self.clock = clock
    }

    /// The store now holds `token` (nil: none).
    func hold(_ token: AccessToken?) {
        expiresAt.withLock { $0 = token?.expiresAt }
    }

    var isUsable: Bool {
        guard let expiresAt = expiresAt.withLock({ $0 }) else { return false }
        return clock.now() < expiresAt
    }
}
