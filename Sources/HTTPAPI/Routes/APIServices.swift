public import Broker
public import GatewayConfig
public import GatewayCore
public import GatewayDelivery
public import Logging
public import OrgServices
public import QueuePipeline
public import Telemetry

/// What the HTTP API's routes work with: the same registry, delivery core, queue client and status
/// sinks as the queue pipeline, so an API request and a queued message meet the same limits.
public struct APIServices: Sendable {
    public var registry: TenantRegistry
    public var delivery: DeliveryService
    /// Where `POST /v1/messages/async` publishes, and whose connection `/ready` reports.
    public var amqp: any MessageBroker
    /// Where the API's status events go besides `statuses` and `conversations` (which the API updates itself
    /// before it answers): `genesys.status`, the state manager, metrics.
    public var status: any StatusSink
    public var statuses: any MessageStatusReading
    public var conversations: any ConversationOwnership
    public var metrics: GatewayMetrics?
    /// Each org's messages waiting in its queue and in the gateway (nil when this gateway consumes no queue).
    public var backlog: OrgBacklogBoard?
    public var reloader: (any ConfigReloading)?
    /// This replica's heartbeat and the others' in shared mode; nil for a single process.
    public var replicas: ReplicaDirectory?
    /// How the tenant service's fetches go, for `/ready`; nil without a tenant service.
    public var tenantService: TenantServiceHealth?
    public var webhook: WebhookHandler?
    public var adminKey: Secret?
    /// How long an API request waits for its org's rate limiter before it is answered 429.
    public var maxLimiterWait: Duration
    /// How long `POST /v1/messages/async` waits for the broker's confirm before answering 503.
    public var publishTimeout: Duration
    /// Measures the publish bound.
    public var clock: any MonotonicClock
    public var logger: Logger

    public init(
        registry: TenantRegistry, delivery: DeliveryService, amqp: any MessageBroker, status: any StatusSink, statuses: any MessageStatusReading,
        conversations: any ConversationOwnership, metrics: GatewayMetrics? = nil, backlog: OrgBacklogBoard? = nil, reloader: (any ConfigReloading)? = nil,
        replicas: ReplicaDirectory? = nil, tenantService: TenantServiceHealth? = nil, webhook: WebhookHandler? = nil, adminKey: Secret? = nil, maxLimiterWait: Duration = .seconds(2),
        publishTimeout: Duration = .seconds(5), clock: any MonotonicClock = SystemClock(), logger: Logger
    ) {
        self.clock = clock
        self.registry = registry
        self.delivery = delivery
        self.amqp = amqp
        self.status = status
        self.statuses = statuses
        self.conversations = conversations
        self.metrics = metrics
        self.backlog = backlog
        self.reloader = reloader
        self.replicas = replicas
        self.tenantService = tenantService
        self.webhook = webhook
        self.adminKey = adminKey
        self.maxLimiterWait = maxLimiterWait
        self.publishTimeout = publishTimeout
        self.logger = logger
    }
}

/// Reloads tenant configs on request (the admin API's `POST /admin/reload`).
public protocol ConfigReloading: Sendable {
    associatedtype Report: Encodable & Sendable
    func reload() async -> Report
}
