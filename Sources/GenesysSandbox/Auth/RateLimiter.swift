//
// RateLimiter.swift — GenesysSandbox
// Requests per minute per OAuth client, in fixed one-minute windows, as the inin-ratelimit-* headers tell.
//

import Foundation
import NIOConcurrencyHelpers

/// One request's standing against its client's limit; becomes the `inin-ratelimit-*` headers.
struct RateStanding: Sendable {
    /// `inin-ratelimit-allowed`: requests allowed per window.
    let allowed: Int
    /// `inin-ratelimit-count`: requests counted in the current window, this one included.
    let count: Int
    /// `inin-ratelimit-reset`: whole seconds until the window resets.
    let resetSeconds: Int

    /// Whether this request is within the limit.
    var isPermitted: Bool { count <= allowed }

    /// Standing of a request that is not counted against any client.
    static func uncounted(allowed: Int) -> RateStanding {
        RateStanding(allowed: allowed, count: 0, resetSeconds: 60)
    }
}

/// Fixed one-minute windows per client, starting at the client's first request of the window.
final class RateLimiter: Sendable {
    private struct Window: Sendable {
        var start: Date
        var count: Int
    }

    private static let windowLength: TimeInterval = 60
    private let windows = NIOLockedValueBox<[String: Window]>([:])
    private let clock: any SandboxClock

    init(clock: any SandboxClock) {
        self.clock = clock
    }

    /// Counts one request of `client` and tells whether it is within the limit.
    func consume(for client: ClientRecord) -> RateStanding {
        let now = clock.now()
        let window = windows.withLockedValue { windows -> Window in
            var window = windows[client.id] ?? Window(start: now, count: 0)
            if now.timeIntervalSince(window.start) >= Self.windowLength {
                window = Window(start: now, count: 0)
            }
            window.count += 1
            windows[client.id] = window
            return window
        }
        let remaining = window.start.addingTimeInterval(Self.windowLength).timeIntervalSince(now)
        return RateStanding(
            allowed: client.ratePerMinute, count: window.count, resetSeconds: max(1, Int(remaining.rounded(.up))))
    }

    /// Forgets all windows (admin reset).
    func reset() {
        windows.withLockedValue { $0.removeAll() }
    }
}
