//
// SandboxClock.swift — GenesysSandbox
// The wall clock the sandbox reads for token expiry, rate-limit windows, outages and arrival times.
//

import Foundation
import NIOConcurrencyHelpers

/// The time source of a sandbox. Tests pass a `ManualClock` and move time instead of sleeping.
public protocol SandboxClock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The system's wall clock.
public struct SystemClock: SandboxClock {
    /// The system clock.
    public init() {}
    /// `Date()`.
    public func now() -> Date { Date() }
}

/// A clock that only moves when told to: for tests of token expiry, rate-limit windows and outages.
public final class ManualClock: SandboxClock {
    private let current: NIOLockedValueBox<Date>

    /// - Parameter start: the initial time.
    public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {
        self.current = NIOLockedValueBox(start)
    }

    /// The time the clock was set or advanced to.
    public func now() -> Date { current.withLockedValue { $0 } }

    /// Moves the clock forward.
    /// - Parameter seconds: how far.
    public func advance(by seconds: TimeInterval) {
        current.withLockedValue { $0 = $0.addingTimeInterval(seconds) }
    }
}
