//
// SandboxConfiguration.swift — GenesysSandbox
// Everything a sandbox needs to start: address, orgs → clients → integrations, defaults, faults.
//

/// The configuration of one sandbox: where it listens, which orgs, OAuth clients and Open Messaging
/// integrations exist, the defaults for token lifetime and rate limit, webhook delivery and faults.
///
/// Decodable from the JSON config file described in `docs/sandbox.md`; every key but `orgs` is optional.
public struct SandboxConfiguration: Sendable, Codable, Equatable {
    /// Address to bind; `127.0.0.1` unless told otherwise.
    public var host: String
    /// Port to bind; `0` picks a free one (read it back from `RunningSandbox.port`).
    public var port: Int
    /// The orgs, each with its clients and integrations.
    public var orgs: [Org]
    /// Token lifetime (`expires_in`) for clients that do not set their own. Genesys' default is 86400.
    public var defaultTokenLifetimeSeconds: Int
    /// Requests per minute per client for clients that do not set their own. Genesys' default is 300.
    public var defaultRatePerMinute: Int
    /// How agent messages are delivered to integration webhooks.
    public var webhook: WebhookPolicy
    /// Reject properties the models do not define (`unrecognized.field`) instead of ignoring them.
    public var rejectUnknownProperties: Bool
    /// A models file to validate against instead of the bundled `open_messaging_models.json`.
    public var modelsPath: String?
    /// Largest accepted request body; larger bodies get 413 `request.entity.too.large`.
    public var maxBodyBytes: Int
    /// Accepted inbound calls kept per integration for `/sandbox/received` (oldest dropped beyond).
    public var maxRecordedMessages: Int
    /// Faults active from the start (they can be changed at run time through `/sandbox/faults`).
    public var faults: [FaultRule]
    /// HTTPS instead of plain HTTP, with these files; nil serves plain HTTP.
    public var tls: SandboxTLS?

    /// - Parameters:
    ///   - host: address to bind.
    ///   - port: port to bind, `0` for any free port.
    ///   - orgs: orgs with their clients and integrations.
    ///   - defaultTokenLifetimeSeconds: `expires_in` default.
    ///   - defaultRatePerMinute: rate limit default per client.
    ///   - webhook: webhook delivery policy.
    ///   - rejectUnknownProperties: strict mode for unknown body properties.
    ///   - modelsPath: models file, `nil` for the bundled copy.
    ///   - maxBodyBytes: request body limit.
    ///   - maxRecordedMessages: received-message records kept per integration.
    ///   - faults: initial faults.
    ///   - tls: HTTPS files, nil for plain HTTP.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8089,
        orgs: [Org] = [],
        defaultTokenLifetimeSeconds: Int = 86400,
        defaultRatePerMinute: Int = 300,
        webhook: WebhookPolicy = WebhookPolicy(),
        rejectUnknownProperties: Bool = false,
        modelsPath: String? = nil,
        maxBodyBytes: Int = 1 << 20,
        maxRecordedMessages: Int = 1_000_000,
        faults: [FaultRule] = [],
        tls: SandboxTLS? = nil
    ) {
        self.host = host
        self.port = port
        self.orgs = orgs
        self.defaultTokenLifetimeSeconds = defaultTokenLifetimeSeconds
        self.defaultRatePerMinute = defaultRatePerMinute
        self.webhook = webhook
        self.rejectUnknownProperties = rejectUnknownProperties
        self.modelsPath = modelsPath
        self.maxBodyBytes = maxBodyBytes
        self.maxRecordedMessages = maxRecordedMessages
        self.faults = faults
        self.tls = tls
    }

    /// A Genesys org: its OAuth clients and its Open Messaging integrations.
    public struct Org: Sendable, Codable, Equatable {
        /// The org id (only used to group clients and integrations).
        public var id: String
        /// Its OAuth clients.
        public var clients: [Client]
        /// Its Open Messaging integrations.
        public var integrations: [Integration]

        /// An org with its clients and integrations.
        public init(id: String, clients: [Client] = [], integrations: [Integration] = []) {
            self.id = id
            self.clients = clients
            self.integrations = integrations
        }
    }

    /// An OAuth client-credentials client.
    public struct Client: Sendable, Codable, Equatable {
        /// The client id (the Basic auth user).
        public var id: String
        /// The client secret (the Basic auth password).
        public var secret: String
        /// `expires_in` of this client's tokens; `nil` for the default.
        public var tokenLifetimeSeconds: Int?
        /// Requests per minute; `nil` for the default.
        public var ratePerMinute: Int?

        /// A client; `nil` limits take the configuration defaults.
        public init(id: String, secret: String, tokenLifetimeSeconds: Int? = nil, ratePerMinute: Int? = nil) {
            self.id = id
            self.secret = secret
            self.tokenLifetimeSeconds = tokenLifetimeSeconds
            self.ratePerMinute = ratePerMinute
        }
    }

    /// An Open Messaging integration.
    public struct Integration: Sendable, Codable, Equatable {
        /// The integration id used in the inbound paths.
        public var id: String
        /// Where agent messages are POSTed; `nil` means agent messages are only recorded.
        public var outboundNotificationWebhookUrl: String?
        /// The HMAC secret for `X-Hub-Signature-256` (Genesys requires more than 15 characters).
        public var webhookSecret: String?

        /// An integration; without a webhook URL agent messages are only recorded.
        public init(id: String, outboundNotificationWebhookUrl: String? = nil, webhookSecret: String? = nil) {
            self.id = id
            self.outboundNotificationWebhookUrl = outboundNotificationWebhookUrl
            self.webhookSecret = webhookSecret
        }
    }

    /// Webhook delivery: Genesys retries 5 times, 5 s apart, on timeout, 429 and 5xx.
    public struct WebhookPolicy: Sendable, Codable, Equatable {
        /// Retries after the first attempt.
        public var retries: Int
        /// Pause between attempts, in milliseconds.
        public var retryIntervalMilliseconds: Int
        /// How long one attempt may take, in milliseconds (Genesys: 10 s).
        public var timeoutMilliseconds: Int
        /// PEM file of the CAs an `https://` webhook's certificate must come from (`--webhook-ca-file`); nil trusts
        /// the system's CAs, as Genesys does.
        public var caFile: String?

        /// Genesys' policy by default: 5 retries, 5 s apart, 10 s per attempt, the system's CAs.
        public init(
            retries: Int = 5, retryIntervalMilliseconds: Int = 5000, timeoutMilliseconds: Int = 10000, caFile: String? = nil
        ) {
            self.retries = retries
            self.retryIntervalMilliseconds = retryIntervalMilliseconds
            self.timeoutMilliseconds = timeoutMilliseconds
            self.caFile = caFile
        }
    }
}
