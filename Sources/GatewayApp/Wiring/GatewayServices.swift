public import AMQPTransport
import Broker
import CurlHTTP
public import GatewayConfig
public import GatewayCore
public import GatewayDelivery
import HTTPAPI
public import Logging
public import OrgServices
import QueuePipeline
import RedisClient
public import ServiceLifecycle
public import Telemetry

/// The running gateway: everything `run` starts, wired together, under one `ServiceGroup`.
public struct GatewayServices: Sendable {
    public struct Settings: Sendable {
        public var amqp: AMQPClient.Settings
        public var perOrgInFlight: Int
        /// Where the idempotency record lives.
        public var stateDirectory: String
        /// How long the idempotency record answers for a delivered message.
        public var receiptRetention: Duration
        public var shutdownTimeout: Duration
        /// Where status events are also reported over HTTP, when set.
        public var stateManagerURL: String?
        /// Connections to one Genesys host. Over HTTP/1.1 each request in flight needs its own, and all orgs of a
        /// region share the host: rate × latency summed over the orgs, plus headroom.
        public var maxConnectionsPerHost: Int
        /// CAs, client certificate and proxy of every outgoing call (Genesys, login hosts, the state manager); an
        /// org's own `http:` settings go over them for its calls (`run --http-…`).
        public var httpTransport: HTTPTransportSettings
        /// The HTTP API; nil serves none.
        public var api: APISettings?
        /// The tenant config directory to watch and reload (SIGHUP, file changes, admin API); nil never reloads.
        public var configDirectory: String?
        /// The hosts a reloaded org may send to besides Genesys Cloud's regions: those the start-up load took.
        public var genesysHosts: GenesysHostPolicy
        /// Shared mode: org limits and tokens in Redis, one for all replicas; nil keeps everything in this process.
        public var shared: SharedModeSettings?
        /// The tenant service, polled for tenants besides the config directory's (needs `configDirectory`: its
        /// tenants are put in force by the same reload); nil when tenants come from files only.
        public var tenantService: TenantServiceSource?
        /// Which status events are published to `genesys.status` (the status API and the state manager get all).
        public var statusEvents: StatusEventLevel
        /// How much status history `GET /v1/messages/{id}` can read: in memory, and its age in Redis in shared mode.
        public var statusHistory: StatusHistoryLimits

        public init(
            amqp: AMQPClient.Settings, perOrgInFlight: Int = 256, stateDirectory: String,
            receiptRetention: Duration = FileIdempotencyStore.Limits().retention, shutdownTimeout: Duration = .seconds(10),
            stateManagerURL: String? = nil, maxConnectionsPerHost: Int = 256, api: APISettings? = nil, configDirectory: String? = nil,
            shared: SharedModeSettings? = nil, tenantService: TenantServiceSource? = nil, statusEvents: StatusEventLevel = .all,
            statusHistory: StatusHistoryLimits = StatusHistoryLimits(), genesysHosts: GenesysHostPolicy = .regionsOnly,
            httpTransport: HTTPTransportSettings = HTTPTransportSettings()
        ) {
            self.genesysHosts = genesysHosts
            self.httpTransport = httpTransport
            self.statusEvents = statusEvents
            self.statusHistory = statusHistory
            self.shared = shared
            self.tenantService = tenantService
            self.api = api
            self.configDirectory = configDirectory
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.amqp = amqp
            self.perOrgInFlight = perOrgInFlight
            self.stateDirectory = stateDirectory
            self.receiptRetention = receiptRetention
            self.shutdownTimeout = shutdownTimeout
            self.stateManagerURL = stateManagerURL
        }
    }

    public let registry: TenantRegistry
    public let delivery: DeliveryService
    public let amqp: AMQPClient
    private let http: CurlHTTPClient
    private let consumer: OutboundConsumer
    private let stateManager: StateManagerSink?
    private let reloader: ConfigReloader?
    private let tenantServicePoller: TenantServicePoller?
    private let jobs: GatewayJobs
    /// The public listener, the operations listener when there is one, and with TLS the certificate's reloader.
    private let apiServers: [any Service]
    /// Shared mode's Redis connection and this replica's heartbeat.
    private let redis: RedisClient?
    private let replicas: ReplicaDirectory?
    public let metrics: GatewayMetrics
    private let logger: Logger

    /// How long a queued message of a tenant not known yet waits for the tenant service to name it: ten of its
    /// polls, at least 5 minutes, so every replica has polled (each on its own schedule) and a fetch may fail a few
    /// times, including the first one at start.
    static func unknownTenantWait(polledEvery interval: Duration) -> Duration {
        max(interval * 10, .seconds(300))
    }

    public init(
        configuration: GatewayConfiguration, settings: Settings, secrets: any SecretResolving = SecretResolver(),
        clock: any MonotonicClock = SystemClock(), logger: Logger
    ) throws {
        let http = CurlHTTPClient(maxConnectionsPerHost: settings.maxConnectionsPerHost, transport: settings.httpTransport)
        let amqp = AMQPClient(settings: settings.amqp, logger: logger)
        let stateManager = settings.stateManagerURL.map { StateManagerSink(baseURL: $0, http: http, logger: logger) }
        let localConversations = try ConversationDirectory(persistingTo: settings.stateDirectory + "/conversations.jsonl")
        let localReceipts = try FileIdempotencyStore(
            directory: settings.stateDirectory + "/idempotency", limits: .init(retention: settings.receiptRetention),
            importing: settings.stateDirectory + "/idempotency.jsonl")
        let backlog = OrgBacklogBoard(client: amqp)
        let jobs = MessageJobs()
        var redis: RedisClient?
        var replicas: ReplicaDirectory?
        var orgState: SharedOrgState?
        let rebalance = RebalanceStatus()
        if let shared = settings.shared {
            let client = RedisClient(
                configuration: RedisConfiguration(
                    url: shared.url, password: shared.password?.reveal(), clientName: "genesys-gateway/\(shared.replicaID)",
                    minimumServerVersion: SharedModeSettings.minimumRedisVersion),
                logger: logger)
            let directory = ReplicaDirectory(
                id: shared.replicaID, client: client, clock: clock, consumedOrgs: { backlog.consumedSinceLastAsked() },
                rebalance: rebalance, logger: logger)
            redis = client
            replicas = directory
            orgState = SharedOrgState(client: client, replicas: directory, http: http, clock: clock, logger: logger)
            logger.info(
                "shared mode: org limits and tokens in Redis",
                metadata: ["redis.url": "\(shared.url.redacted)", "replica.id": "\(shared.replicaID)"])
        }
        // Shared mode: status history, conversation owners, receipts and webhook claims in Redis as well, for every
        // replica to read; each store keeps this replica's own part as its fallback.
        let localStatuses = MessageStatusStore(limits: settings.statusHistory, clock: clock)
        let statuses: any MessageStatusReading = redis.map { SharedStatusHistory(local: localStatuses, client: $0, logger: logger) }
            ?? localStatuses
        let conversations: any ConversationOwnership = redis.map {
            SharedConversationDirectory(local: localConversations, client: $0, logger: logger)
        } ?? localConversations
        let store: any IdempotencyStore = replicas.flatMap { directory in
            redis.map {
                SharedIdempotencyStore(
                    local: localReceipts, client: $0, replicaID: directory.id,
                    receiptTimeToLive: min(settings.shared?.receiptRetention ?? settings.receiptRetention, settings.receiptRetention),
                    logger: logger)
            }
        } ?? localReceipts
        let webhookClaims: any WebhookDeduplicating = redis.map {
            SharedWebhookDeduplicator(local: WebhookDeduplicator(clock: clock), client: $0, logger: logger)
        } ?? WebhookDeduplicator(clock: clock)
        // The state manager only queues; the AMQP sink waits for the broker's confirm, so it goes last.
        let published = FanOutStatusSink(
            (stateManager.map { [$0] } ?? [])
                + [AMQPStatusSink(
                    client: amqp, exchange: settings.amqp.topology.statusExchange, level: settings.statusEvents, logger: logger)])
        let registry = try TenantRegistry.build(
            configuration: configuration, secrets: secrets, http: http, clock: clock, logger: logger, orgState: orgState,
            onBreakerTransition: { org, transition in
                var event = StatusEvent(status: .circuit, messageId: nil, tenantId: org.tenantID, org: org.orgName)
                event.circuitState = transition.to.rawValue
                event.reason = transition.reason
                jobs.spawn { [event] in await published.publish(event) }
            })
        // Counts every message status too; breaker states and backlogs it reads at scrape time.
        let metrics = GatewayMetrics(
            tenants: { registry }, backlog: { backlog.snapshot() }, tenantService: settings.tenantService?.health,
            statusHistory: localStatuses)
        let outward = FanOutStatusSink([metrics, published])
        let pipelineStatus = FanOutStatusSink([statuses, conversations, outward])
        let delivery = DeliveryService(
            registry: registry, http: http, clock: clock, logger: logger, sent: store, observer: metrics,
            unknownTenantWait: settings.tenantService.map { Self.unknownTenantWait(polledEvery: $0.settings.pollInterval) })
        let reloader = settings.configDirectory.map {
            ConfigReloader(
                configDirectory: $0, registry: registry, secrets: secrets, clock: clock, tenantService: settings.tenantService,
                genesysHosts: settings.genesysHosts, logger: logger)
        }
        tenantServicePoller = reloader.flatMap { reloader in
            settings.tenantService.map { TenantServicePoller(source: $0, reloader: reloader, clock: clock, logger: logger) }
        }
        self.registry = registry
        self.delivery = delivery
        self.amqp = amqp
        self.http = http
        self.stateManager = stateManager
        self.reloader = reloader
        self.metrics = metrics
        self.logger = logger
        self.redis = redis
        self.replicas = replicas
        self.jobs = GatewayJobs(jobs: jobs, deadline: settings.shutdownTimeout, clock: clock)
        consumer = OutboundConsumer(
            client: amqp, delivery: delivery, registry: registry, status: pipelineStatus, backlog: backlog, clock: clock,
            perOrgInFlight: settings.perOrgInFlight, shutdownTimeout: settings.shutdownTimeout,
            sharing: replicas.flatMap { directory in
                redis.map { redis in
                    ConsumerSharing(
                        replicaID: directory.id, placement: { directory.placement },
                        handover: OrgHandover(client: redis, replicaID: directory.id, clock: clock, logger: logger),
                        status: rebalance)
                }
            }, logger: logger)
        apiServers = try settings.api.map { api -> [any Service] in
            let webhook = WebhookHandler(
                registry: registry, publisher: InboundPublisher(client: amqp, exchange: settings.amqp.topology.inboundExchange),
                deduplicator: webhookClaims,
                undelivered: FailedReceiptReporter(delivery: delivery, jobs: jobs, clock: clock, logger: logger), jobs: jobs,
                clock: clock, logger: logger,
                onSignatureMatched: { metrics.webhookSignatureMatched(org: $0, secret: $1) })
            let services = APIServices(
                registry: registry, delivery: delivery, amqp: amqp, status: outward, statuses: statuses,
                conversations: conversations, metrics: metrics, backlog: backlog, reloader: reloader, replicas: replicas,
                tenantService: settings.tenantService?.health, webhook: webhook, adminKey: api.adminKey,
                maxLimiterWait: api.maxLimiterWait, clock: clock, logger: logger)
            let gatewayAPI = GatewayAPI(services: services)
            // One certificate for both listeners, so one reload renews both (docs/security.md).
            let tls = api.tls.map { ServingCertificateStore($0.certificate) }
            var servers: [any Service] = [
                try gatewayAPI.makeApplication(
                    api.publicListener, host: api.host, port: api.port, tls: tls, onServerRunning: api.onServerRunning)
            ]
            if let ops = api.operations {
                servers.append(try gatewayAPI.makeApplication(
                    .operations, host: ops.host, port: ops.port, tls: tls, onServerRunning: ops.onServerRunning))
            }
            if let tlsSettings = api.tls, let tls {
                servers.append(Self.certificateReloader(tlsSettings, store: tls, metrics: metrics, clock: clock, logger: logger))
            }
            return servers
        } ?? []
    }

    /// Runs until the graceful shutdown of the service group it runs in (the executable's, on SIGTERM or SIGINT)
    /// or until the task is cancelled, then shuts down in order.
    public func run() async throws {
        // Shared mode on a Redis older than 7.0 ends the start here, before any message is taken.
        if let redis { try await SharedModeSettings.checkServer(redis, logger: logger) }
        // Stopped in reverse: the API stops taking requests first, the gateway's jobs end, the consumer finishes
        // its messages, and the heartbeat goes last (its replica counts until then).
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let replicas { services.append(.init(service: replicas)) }
        services.append(.init(service: consumer))
        services.append(.init(service: jobs))
        if let stateManager { services.append(.init(service: stateManager)) }
        if let reloader { services.append(.init(service: reloader)) }
        if let tenantServicePoller { services.append(.init(service: tenantServicePoller)) }
        services += apiServers.map { .init(service: $0) }
        // No signals here: the executable's group handles them, and this group follows its graceful shutdown.
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        try await group.run()
        await redis?.shutdown()
        await http.shutdown()
    }
}

extension GatewayServices {
    /// The certificate reloader, its reloads counted and the served certificate's expiry shown in the metrics.
    fileprivate static func certificateReloader(
        _ settings: TLSSettings, store: ServingCertificateStore, metrics: GatewayMetrics, clock: any MonotonicClock, logger: Logger
    ) -> CertificateReloader {
        metrics.recordServingCertificate(expiresAt: settings.certificate.notValidAfter)
        return CertificateReloader(
            files: settings.files, store: store, clock: clock, pollInterval: settings.pollInterval, logger: logger,
            onReload: { outcome in
                switch outcome.result {
                case .success(let certificate):
                    metrics.recordCertificateReload(succeeded: true)
                    metrics.recordServingCertificate(expiresAt: certificate.notValidAfter)
                case .failure:
                    metrics.recordCertificateReload(succeeded: false)
                }
            })
    }
}

/// The gateway runs inside a service group of its embedder's (the executable's, or a test's) and stops with its
/// graceful shutdown: the gateway's own group follows its parent's.
extension GatewayServices: Service {}
