import PluginAPI

/// The org a message is sent for, as the host describes it to a sender.
public struct OrgContext: Sendable, Equatable {
    public var tenantID: String
    public var orgName: String
    public var integrationID: String

    public init(tenantID: String, orgName: String, integrationID: String) {
        self.tenantID = tenantID
        self.orgName = orgName
        self.integrationID = integrationID
    }
}

/// The HTTP request a sender wants the host to make to Genesys.
public struct PluginRequest: Sendable, Equatable {
    public var method: String
    public var path: String
    public var body: [UInt8]

    public init(method: String, path: String, body: [UInt8]) {
        self.method = method
        self.path = path
        self.body = body
    }
}

/// Why a message can never be sent; the host dead-letters it with this reason.
public struct ValidationFailure: Error, Sendable, Equatable {
    /// JSON path of the offending field, e.g. `content[0].attachment.mime`; empty when not about one field.
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// A message-type sender written in Swift. Export it with ``PluginExport/sender(_:host:)``.
///
/// Instances are called from several threads at once: keep them immutable.
public protocol SenderPlugin: Sendable {
    static var name: String { get }
    static var version: String { get }
    /// The queued message `type` values this sender handles.
    static var messageTypes: [String] { get }

    /// Creates an instance from the tenant's plugin settings: the bytes of a JSON object, `{}` when none.
    init(settingsJSON: [UInt8], log: PluginLogger) throws(ValidationFailure)

    /// Validates the queued message and builds the Genesys request for it.
    func buildRequest(message: [UInt8], context: OrgContext) -> Result<PluginRequest, ValidationFailure>
}

/// A Genesys response as an error policy sees it.
public struct PolicyResponse: Sendable, Equatable {
    public enum Transport: Int32, Sendable {
        case none = 0, timeout = 1, connect = 2, other = 3
    }

    public var statusCode: Int
    public var transport: Transport
    /// Retry-After in milliseconds, when the response carried one.
    public var retryAfterMilliseconds: Int64?
    public var attempt: Int
    public var correlationID: String
    public var body: [UInt8]

    public init(
        statusCode: Int, transport: Transport = .none, retryAfterMilliseconds: Int64? = nil, attempt: Int = 1,
        correlationID: String = "", body: [UInt8] = []
    ) {
        self.statusCode = statusCode
        self.transport = transport
        self.retryAfterMilliseconds = retryAfterMilliseconds
        self.attempt = attempt
        self.correlationID = correlationID
        self.body = body
    }
}

/// What an error policy decides a response means.
public struct PolicyDecision: Sendable, Equatable {
    public enum Action: Int32, Sendable {
        case delivered = 1, retry = 2, refreshTokenAndRetry = 3, deadLetter = 4
    }

    public var action: Action
    /// With `.retry`: the delay, or nil for the host's exponential backoff with jitter.
    public var retryAfterMilliseconds: Int64?
    public var countsAsBreakerFailure: Bool
    public var reason: String

    public init(action: Action, retryAfterMilliseconds: Int64? = nil, countsAsBreakerFailure: Bool = false, reason: String) {
        self.action = action
        self.retryAfterMilliseconds = retryAfterMilliseconds
        self.countsAsBreakerFailure = countsAsBreakerFailure
        self.reason = reason
    }
}

/// An error policy written in Swift. Export it with ``PluginExport/errorPolicy(_:host:)``.
public protocol ErrorPolicyPlugin: Sendable {
    static var name: String { get }
    static var version: String { get }

    /// Creates an instance from the tenant's plugin settings: the bytes of a JSON object, `{}` when none.
    init(settingsJSON: [UInt8], log: PluginLogger) throws(ValidationFailure)

    func decide(_ response: PolicyResponse) -> PolicyDecision
}
