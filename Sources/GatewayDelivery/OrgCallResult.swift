public import GatewayCore
/// What became of one API request to an org's Genesys (see ``DeliveryService/call(_:org:operation:maxLimiterWait:correlation:)``).
public enum OrgCallResult: Sendable {
    /// Genesys answered 2xx.
    case answered(HTTPResponse)
    /// Genesys answered with an error (its status, code and correlation id are in the error).
    case failed(GenesysError, retryAfter: Duration?)
    /// The gateway did not send it: no rate-limit slot in time, or the org's circuit is open.
    case refused(CallRefusal)
    /// No answer from Genesys (connect failure, timeout, no token).
    case unavailable(reason: String, retryAfter: Duration?)
}

/// Why the gateway did not send a request to Genesys.
public enum CallRefusal: Sendable, Equatable {
    case rateLimited(retryAfter: Duration)
    case circuitOpen(retryAfter: Duration)
    /// The wait for a rate-limit slot was cancelled (shutting down).
    case cancelled

    /// When it is worth asking again.
    public var retryAfter: Duration {
        switch self {
        case .rateLimited(let retryAfter), .circuitOpen(let retryAfter): return retryAfter
        case .cancelled: return .zero
        }
    }

    public var reason: String {
        switch self {
        case .rateLimited: return "no rate-limit slot in time"
        case .circuitOpen: return "circuit open"
        case .cancelled: return "cancelled while waiting for the rate limiter"
        }
    }
}
