//
// InjectedAnswer.swift — GenesysSandbox
// The kinds of answers the sandbox gives because a fault (or a revocation) told it to.
//

/// An answer the sandbox gave because of a fault set through the admin API, the configuration or `--fault`
/// (or a token revocation), not because of the request itself. Counted per ``FaultTarget`` in
/// ``TrafficSnapshot/injected``, so a test can prove that its fault took effect rather than assume it.
public enum InjectedAnswer: Sendable, Hashable, CustomStringConvertible {
    /// 503 `service.unavailable` of an outage (`outageSeconds`).
    case outage
    /// 429 `too.many.requests.retry.after` of a burst (`burst429Count`).
    case throttled
    /// A random failure (`failureRate`) with its status.
    case failure(status: Int)
    /// A failure for one of an integration's `failingCustomers`, with its status.
    case failingCustomer(status: Int)
    /// A connection reset without an answer (`resetRate`).
    case reset
    /// An answer delayed by `slowResponseMs`.
    case slowResponse
    /// 401 `bad.credentials` to a token revoked through `revoke-tokens`.
    case revokedToken

    /// The key in `/sandbox/stats`' `injected` object: `503-outage`, `429-burst`, `500-failure`,
    /// `503-failing-customer`, `reset`, `slow-response`, `401-revoked-token`.
    public var description: String {
        switch self {
        case .outage: return "503-outage"
        case .throttled: return "429-burst"
        case .failure(let status): return "\(status)-failure"
        case .failingCustomer(let status): return "\(status)-failing-customer"
        case .reset: return "reset"
        case .slowResponse: return "slow-response"
        case .revokedToken: return "401-revoked-token"
        }
    }
}

/// One injected answer and whom it hit: carried by a ``FaultDecision`` and counted when it is carried out.
struct InjectedMark: Sendable, Hashable {
    let target: FaultTarget
    let answer: InjectedAnswer
}
