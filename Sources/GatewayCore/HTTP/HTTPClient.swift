import Foundation

/// An HTTP request to Genesys (API or login host).
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var connectTimeout: Duration
    public var totalTimeout: Duration
    /// The longest response body taken: past it the call fails (``TransportError/responseTooLarge(limit:url:)``)
    /// and nothing more is read. What answers is not trusted to be small: a 300 MB body would otherwise be held
    /// whole, by every replica that asked.
    public var maxResponseBytes: Int
    /// CAs, client certificate and proxy for this call, over the client's own (``HTTPTransportSettings/overridden(by:)``):
    /// an org's `http:` settings on its calls to Genesys and its login host; empty on every other call.
    public var transport: HTTPTransportSettings

    /// Bodies Genesys' API answers with (a message's receipt, a conversation) are a few KB.
    public static let defaultMaxResponseBytes = 1 << 20

    public init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        connectTimeout: Duration = .seconds(3), totalTimeout: Duration = .seconds(15),
        maxResponseBytes: Int = Self.defaultMaxResponseBytes, transport: HTTPTransportSettings = HTTPTransportSettings()
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maxResponseBytes = maxResponseBytes
        self.transport = transport
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
            && lhs.connectTimeout == rhs.connectTimeout && lhs.totalTimeout == rhs.totalTimeout
            && lhs.maxResponseBytes == rhs.maxResponseBytes && lhs.transport == rhs.transport
    }
}

/// What came back.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    /// Header names lower-cased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: [UInt8]
    /// Time from start of the transfer to its end, as libcurl measured it.
    public var duration: Duration

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = [], duration: Duration = .zero) {
        self.status = status
        self.headers = headers
        self.body = body
        self.duration = duration
    }

    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// `ININ-Correlation-Id`: logged with every failure.
    /// Genesys' id for the call, for logs, errors and status events: cut to ``correlationIDLimit`` bytes'
    /// worth of characters, as it comes from outside and is copied into each of them.
    public var correlationID: String? { header("inin-correlation-id").map { String(decoding: $0.utf8.prefix(Self.correlationIDLimit), as: UTF8.self) } }

    /// Genesys' correlation ids are UUIDs (36 characters).
    public static let correlationIDLimit = 128

    /// `Retry-After` (Genesys sends whole seconds; an HTTP-date is read too), within 0 … 1 day; nil when absent
    /// or unreadable. See ``RetryAfter``.
    public var retryAfter: Duration? {
        header("retry-after").flatMap { RetryAfter.delay($0, now: Date()) }
    }
}

/// The request never got an HTTP answer.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case timeout
        /// Could not connect, or the connection broke (reset, closed without a response).
        case connection
        case other
    }

    public var kind: Kind
    public var message: String
    /// The request's URL with its password hidden (``URLRedaction``): the error is logged.
    public var url: String

    public init(kind: Kind, message: String, url: String) {
        self.kind = kind
        self.message = message
        self.url = URLRedaction.hidingPassword(in: url)
    }

    public var description: String { "\(kind) talking to \(url): \(message)" }

    /// The answer's body ran past the request's ``HTTPRequest/maxResponseBytes``.
    public static func responseTooLarge(limit: Int, url: String) -> TransportError {
        TransportError(kind: .other, message: "the response body is larger than \(limit) bytes, the limit for this call", url: url)
    }
}

/// Sends HTTP requests. The production type is ``CurlHTTPClient``; tests of code above it may use a double.
public protocol HTTPClient: Sendable {
    /// Sends `request`. Throws ``TransportError`` when no HTTP answer came, `CancellationError` if cancelled.
    func execute(_ request: HTTPRequest) async throws -> HTTPResponse
}
