public import GatewayCore
/// Told of every HTTP call made to an org's Genesys API, whatever started it (a queued message, an API request).
///
/// The seam metrics hang on; it must return quickly and never block the call path.
public protocol GenesysCallObserving: Sendable {
    func observe(_ call: GenesysCallRecord)
}

/// One finished call to Genesys.
public struct GenesysCallRecord: Sendable, Equatable {
    public var org: OrgKey
    /// What the call was for, from a small fixed set (`message`, `conversation.get`, …) so labels stay bounded.
    public var operation: String
    /// Genesys' HTTP status; nil when no answer came (connect failure, timeout).
    public var status: Int?
    /// From sending the request to the last byte of the answer.
    public var duration: Duration

    public init(org: OrgKey, operation: String, status: Int?, duration: Duration) {
        self.org = org
        self.operation = operation
        self.status = status
        self.duration = duration
    }
}

/// Observes nothing: the default where no one is listening.
public struct IgnoringCallObserver: GenesysCallObserving {
    public init() {}
    public func observe(_ call: GenesysCallRecord) {}
}
