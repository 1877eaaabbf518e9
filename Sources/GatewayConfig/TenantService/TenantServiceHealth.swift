public import GatewayCore
import Synchronization

/// How the tenant service's fetches went, for `/ready`, `/metrics` and the log: counts by result, the last
/// success, and the failure going on, if any.
public final class TenantServiceHealth: Sendable {
    /// One fetch's result; the `result` label of `genesys_gateway_tenant_service_fetches_total`.
    public enum FetchResult: String, Sendable, CaseIterable {
        /// A new document was read (its tenants may still be refused one by one).
        case ok
        /// 304: the document did not change.
        case notModified = "not_modified"
        /// No answer, an unexpected HTTP status, or no token to send.
        case failed
        /// An answer that is not a tenant service document.
        case invalid
    }

    /// What the health is now.
    public struct Reading: Sendable, Equatable {
        public var fetches: [FetchResult: Int]
        /// When the last fetch that brought a usable answer ended (clock time); nil when none did yet.
        public var lastSuccess: Duration?
        /// The failure of the last fetch; nil when it succeeded.
        public var failure: TenantServiceError?
        /// When the failures going on began.
        public var failingSince: Duration?
        /// The clock's time when read.
        public var now: Duration

        /// Seconds since the last success, or since start when there was none yet.
        public var secondsSinceSuccess: Double {
            (now - (lastSuccess ?? .zero)).seconds
        }
    }

    private let clock: any MonotonicClock
    private let state: Mutex<Reading>

    public init(clock: any MonotonicClock) {
        self.clock = clock
        state = Mutex(Reading(fetches: [:], now: clock.now()))
    }

    public var reading: Reading {
        let now = clock.now()
        return state.withLock { reading in
            var copy = reading
            copy.now = now
            return copy
        }
    }

    /// Records one fetch; `failure` for ``FetchResult/failed`` and ``FetchResult/invalid``.
    func record(_ result: FetchResult, failure: TenantServiceError? = nil) {
        let now = clock.now()
        state.withLock { reading in
            reading.fetches[result, default: 0] += 1
            if let failure {
                reading.failingSince = reading.failingSince ?? now
                reading.failure = failure
            } else {
                reading.lastSuccess = now
                reading.failingSince = nil
                reading.failure = nil
            }
        }
    }

    /// What `/ready` lists while fetches fail; nil while they succeed.
    public var problem: String? {
        let reading = reading
        guard let failure = reading.failure else { return nil }
        let since = Int64(saturating: (reading.now - (reading.failingSince ?? reading.now)).seconds.rounded(.down))
        let kept = reading.lastSuccess == nil
            ? "no tenant from it is loaded yet (the config directory's tenants are served)"
            : "its last good tenant set stays in force"
        return "tenant service failing for \(since) s (\(failure.message)); \(kept)"
    }
}
