public import GatewayConfig
import GatewayCore
/// Exponential backoff with full jitter: attempt n waits a random time in [0, min(max, base · 2^(n-1))].
///
/// Full jitter spreads the retries of many messages that failed together, so a recovering Genesys org is
/// not hit by all of them at the same instant.
public struct RetryBackoff: Sendable {
    public var base: Duration
    public var maximum: Duration
    private let random: @Sendable (ClosedRange<Double>) -> Double

    /// - Parameter random: a uniform random number in the range; tests pass a fixed one.
    public init(
        base: Duration, maximum: Duration,
        random: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) }
    ) {
        self.base = base
        self.maximum = maximum
        self.random = random
    }

    public init(settings: RetrySettings) {
        self.init(base: .milliseconds(settings.baseDelayMilliseconds), maximum: .milliseconds(settings.maxDelayMilliseconds))
    }

    /// The delay before retry number `attempt` (1 for the first retry).
    public func delay(attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 40)
        let ceiling = min(base.seconds * pow2(exponent), maximum.seconds)
        return .fractionalSeconds(random(0...ceiling))
    }

    private func pow2(_ exponent: Int) -> Double {
        Double(sign: .plus, exponent: exponent, significand: 1)
    }
}
