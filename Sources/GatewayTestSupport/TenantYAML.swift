/// A tenant file (README "Tenant configuration") as tests and benchmarks write it: set the fields, read
/// `text`.
///
/// Keys are written one a line, in the README's order, each only when it is set (`enabled` only when
/// false, `default` only when true), so a file with the same settings always has the same lines and a test
/// may count on a key's line and column. Values are written as plain YAML scalars, unquoted: pass names,
/// URLs and numbers, not text that needs quoting. Tests whose point is a particular hand-written text
/// (positions of errors, broken YAML, unknown keys) write that text themselves.
///
///     TenantYAML(id: "acme", apiKeys: [.env("KEY")], orgs: [
///         .init(name: "us", baseURL: "http://127.0.0.1:9410", clientID: "acme-us-client",
///               clientSecret: .env("SECRET"), integrationID: "acme-us-integration", rate: 20, burst: 40),
///     ]).text
public struct TenantYAML: Sendable, Equatable {
    public var id: String
    public var displayName: String?
    /// Written as `enabled: false` when false; true is the default and writes nothing.
    public var enabled: Bool
    /// The keys of the gateway's HTTP API, by reference; none writes no `apiKeys`.
    public var apiKeys: [Secret]
    /// The RabbitMQ users that may publish for the tenant; nil writes no `publishers` (any publisher).
    public var publishers: [String]?
    public var orgs: [Org]

    public init(
        id: String, displayName: String? = nil, enabled: Bool = true, apiKeys: [Secret] = [], publishers: [String]? = nil, orgs: [Org]
    ) {
        self.publishers = publishers
        self.id = id
        self.displayName = displayName
        self.enabled = enabled
        self.apiKeys = apiKeys
        self.orgs = orgs
    }

    /// The file's text, ending with a newline.
    public var text: String {
        var lines = ["id: \(id)"]
        if let displayName { lines.append("displayName: \(displayName)") }
        if !enabled { lines.append("enabled: false") }
        if !apiKeys.isEmpty { lines.append("apiKeys: " + Self.list(apiKeys.map(\.reference))) }
        if let publishers { lines.append("publishers: " + Self.list(publishers)) }
        lines.append("orgs:")
        for org in orgs {
            lines += org.lines.enumerated().map { index, line in (index == 0 ? "  - " : "    ") + line }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A secret as the config requires it: never the value, a reference to where it is.
    public enum Secret: Sendable, Equatable {
        /// `env:NAME`: the value of environment variable `NAME`.
        case env(String)
        /// `file:/absolute/path`: the file's contents.
        case file(String)

        public var reference: String {
            switch self {
            case .env(let name): "env:\(name)"
            case .file(let path): "file:\(path)"
            }
        }
    }

    /// One Genesys org of the tenant. Both base URLs point at `baseURL` (the sandbox, or a host the test's
    /// HTTP client scripts); unset optional settings are left to the tenant's and built-in defaults.
    public struct Org: Sendable, Equatable {
        public var name: String
        /// Written as `default: true` when true; false is the default and writes nothing.
        public var isDefault: Bool
        public var baseURL: String
        public var clientID: String
        public var clientSecret: Secret
        public var integrationID: String
        public var webhookSecret: Secret?
        public var messageTypes: [String]?
        public var errorPolicy: String?
        /// `rateLimit.messagesPerSecond`, written without a fraction when it has none.
        public var rate: Double?
        /// `rateLimit.burst`.
        public var burst: Int?
        public var breaker: Breaker?
        public var retry: Retry?
        public var expiry: Expiry?
        public var http: HTTP?

        public init(
            name: String, isDefault: Bool = false, baseURL: String, clientID: String, clientSecret: Secret,
            integrationID: String, webhookSecret: Secret? = nil, messageTypes: [String]? = nil, errorPolicy: String? = nil,
            rate: Double? = nil, burst: Int? = nil, breaker: Breaker? = nil, retry: Retry? = nil, expiry: Expiry? = nil,
            http: HTTP? = nil
        ) {
            self.http = http
            self.name = name
            self.isDefault = isDefault
            self.baseURL = baseURL
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.integrationID = integrationID
            self.webhookSecret = webhookSecret
            self.messageTypes = messageTypes
            self.errorPolicy = errorPolicy
            self.rate = rate
            self.burst = burst
            self.breaker = breaker
            self.retry = retry
            self.expiry = expiry
        }

        /// The org's lines without their indentation, `name` first.
        var lines: [String] {
            var lines = ["name: \(name)"]
            if isDefault { lines.append("default: true") }
            lines += ["apiBaseURL: \(baseURL)", "loginBaseURL: \(baseURL)", "clientId: \(clientID)"]
            lines += ["clientSecret: \(clientSecret.reference)", "integrationId: \(integrationID)"]
            if let webhookSecret { lines.append("webhookSecret: \(webhookSecret.reference)") }
            if let messageTypes { lines.append("messageTypes: " + TenantYAML.list(messageTypes)) }
            if let errorPolicy { lines.append("errorPolicy: \(errorPolicy)") }
            let rateLimit = TenantYAML.flowMapping([("messagesPerSecond", rate.map(TenantYAML.number)), ("burst", burst.map(String.init))])
            if let rateLimit { lines.append("rateLimit: \(rateLimit)") }
            if let breaker = breaker.flatMap(\.flowMapping) { lines.append("circuitBreaker: \(breaker)") }
            if let retry = retry.flatMap(\.flowMapping) { lines.append("retry: \(retry)") }
            if let expiry = expiry.flatMap(\.flowMapping) { lines.append("expiry: \(expiry)") }
            if let http, !http.entries.isEmpty { lines += ["http:"] + http.entries.map { "  \($0): \($1)" } }
            return lines
        }
    }

    /// An org's `circuitBreaker` settings; the unset ones are left to the defaults.
    public struct Breaker: Sendable, Equatable {
        public var failureThresholdPercent: Int?
        public var windowSeconds: Int?
        public var minimumRequests: Int?
        public var openSeconds: Int?
        public var maxOpenSeconds: Int?
        public var halfOpenProbes: Int?

        public init(
            failureThresholdPercent: Int? = nil, windowSeconds: Int? = nil, minimumRequests: Int? = nil, openSeconds: Int? = nil,
            maxOpenSeconds: Int? = nil, halfOpenProbes: Int? = nil
        ) {
            self.failureThresholdPercent = failureThresholdPercent
            self.windowSeconds = windowSeconds
            self.minimumRequests = minimumRequests
            self.openSeconds = openSeconds
            self.maxOpenSeconds = maxOpenSeconds
            self.halfOpenProbes = halfOpenProbes
        }

        var flowMapping: String? {
            TenantYAML.flowMapping([
                ("failureThresholdPercent", failureThresholdPercent), ("windowSeconds", windowSeconds),
                ("minimumRequests", minimumRequests), ("openSeconds", openSeconds), ("maxOpenSeconds", maxOpenSeconds),
                ("halfOpenProbes", halfOpenProbes),
            ].map { ($0, $1.map(String.init)) })
        }
    }

    /// An org's `retry` settings; the unset ones are left to the defaults.
    public struct Retry: Sendable, Equatable {
        public var maxAttempts: Int?
        public var baseDelayMs: Int?
        public var maxDelayMs: Int?
        public var retryAfterCapSeconds: Int?
        public var maxRetryDurationSeconds: Int?

        public init(
            maxAttempts: Int? = nil, baseDelayMs: Int? = nil, maxDelayMs: Int? = nil, retryAfterCapSeconds: Int? = nil,
            maxRetryDurationSeconds: Int? = nil
        ) {
            self.maxAttempts = maxAttempts
            self.baseDelayMs = baseDelayMs
            self.maxDelayMs = maxDelayMs
            self.retryAfterCapSeconds = retryAfterCapSeconds
            self.maxRetryDurationSeconds = maxRetryDurationSeconds
        }

        var flowMapping: String? {
            TenantYAML.flowMapping([
                ("maxAttempts", maxAttempts), ("baseDelayMs", baseDelayMs), ("maxDelayMs", maxDelayMs),
                ("retryAfterCapSeconds", retryAfterCapSeconds), ("maxRetryDurationSeconds", maxRetryDurationSeconds),
            ].map { ($0, $1.map(String.init)) })
        }
    }

    /// An org's `expiry` settings; the unset ones are left to the defaults.
    public struct Expiry: Sendable, Equatable {
        /// Seconds (or `none`) by message type, written in this order.
        public var afterSeconds: [(type: String, seconds: String)]
        /// `deadLetter` or `park`.
        public var expiredMessages: String?

        public init(afterSeconds: [(type: String, seconds: String)] = [], expiredMessages: String? = nil) {
            self.afterSeconds = afterSeconds
            self.expiredMessages = expiredMessages
        }

        public static func == (lhs: Expiry, rhs: Expiry) -> Bool {
            lhs.afterSeconds.map(\.type) == rhs.afterSeconds.map(\.type) && lhs.afterSeconds.map(\.seconds) == rhs.afterSeconds.map(\.seconds)
                && lhs.expiredMessages == rhs.expiredMessages
        }

        var flowMapping: String? {
            TenantYAML.flowMapping([
                ("afterSeconds", TenantYAML.flowMapping(afterSeconds.map { ($0.type, $0.seconds) })), ("expiredMessages", expiredMessages),
            ])
        }
    }

    /// An org's `http` settings; the unset ones are left to the defaults (paths and URLs written unquoted).
    public struct HTTP: Sendable, Equatable {
        public var connectTimeoutMs: Int?
        public var requestTimeoutMs: Int?
        public var caFile: String?
        public var clientCertFile: String?
        public var clientKeyFile: String?
        public var proxy: String?

        public init(
            connectTimeoutMs: Int? = nil, requestTimeoutMs: Int? = nil, caFile: String? = nil, clientCertFile: String? = nil,
            clientKeyFile: String? = nil, proxy: String? = nil
        ) {
            self.connectTimeoutMs = connectTimeoutMs
            self.requestTimeoutMs = requestTimeoutMs
            self.caFile = caFile
            self.clientCertFile = clientCertFile
            self.clientKeyFile = clientKeyFile
            self.proxy = proxy
        }

        /// The set keys and their values, in order: a block mapping (a URL's `:` is plain in block style).
        var entries: [(String, String)] {
            [
                ("connectTimeoutMs", connectTimeoutMs.map(String.init)), ("requestTimeoutMs", requestTimeoutMs.map(String.init)),
                ("caFile", caFile), ("clientCertFile", clientCertFile), ("clientKeyFile", clientKeyFile), ("proxy", proxy),
            ].compactMap { key, value in value.map { (key, $0) } }
        }
    }

    /// `[a, b]`.
    static func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    /// `{key: value, …}` of the set entries, in order; nil when none is set.
    static func flowMapping(_ entries: [(String, String?)]) -> String? {
        let set = entries.compactMap { key, value in value.map { "\(key): \($0)" } }
        return set.isEmpty ? nil : "{" + set.joined(separator: ", ") + "}"
    }

    /// `50` for 50.0, `2.5` for 2.5.
    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
