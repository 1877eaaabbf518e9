import AMQPTransport
import ArgumentParser
import CurlHTTP
import Foundation
import GatewayApp
import GatewayConfig
import GatewayCore
import Logging
import Metrics
import OrgServices
import PluginHost
import ServiceLifecycle
import Telemetry
import UnixSignals

/// `genesys-gateway run`: load plugins and tenants, consume `genesys.outbound`, deliver to Genesys, until
/// SIGTERM or SIGINT.
///
/// Tenants with errors are reported and left out; the gateway starts as long as one tenant is valid, so
/// one broken file never takes the others down.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Start the gateway: consume genesys.outbound and deliver to Genesys Cloud.")

    @OptionGroup var logging: LoggingOptions

    @OptionGroup var sources: SourceOptions
    @OptionGroup var tenantService: TenantServiceOptions
    @OptionGroup var queue: QueueOptions
    @OptionGroup var statusHistory: StatusHistoryOptions
    @OptionGroup var sharedMode: SharedModeOptions
    @OptionGroup var httpTransport: HTTPTransportOptions
    @OptionGroup var tls: TLSOptions

    @Option(help: "Unacked messages of genesys.outbound RabbitMQ hands the router at once (each org queue has its own prefetch).")
    var prefetch: UInt16 = 500

    @Option(help: "Messages of one org in the gateway at most: the cap of its queue's prefetch (rate × 0.5 s, at least 2).")
    var perOrgInFlight: Int = 256

    @Option(help: "Folder for the idempotency record (env GGW_STATE_DIR).")
    var stateDir: String = GatewayEnvironment.value("GGW_STATE_DIR") ?? ".run/state"

    @Option(help: "Hours a delivered message's id is remembered, so that it is not sent again (env GGW_RECEIPT_RETENTION_HOURS; 1 to 8760; 168). Disk: about 200 bytes per message kept.")
    var receiptRetentionHours: Int?

    @Option(help: "Seconds to let in-flight messages finish on SIGTERM.")
    var shutdownTimeout: Int = 10

    @Option(help: "Connections kept per Genesys host (HTTP/1.1 uses one per request in flight; all orgs of a region share the host).")
    var maxConnectionsPerHost: Int = 256

    @Option(help: "State manager base URL (env GGW_STATE_MANAGER_URL): statuses are also sent as PUT {url}/messages/{id}/status.")
    var stateManagerURL: String?

    @Option(help: "Status events published to genesys.status (env GGW_STATUS_EVENTS): all, or outcomes (sent, retrying, dead_lettered, parked, expired, circuit; not queued or accepted).")
    var statusEvents: String = GatewayEnvironment.value("GGW_STATUS_EVENTS") ?? StatusEventLevel.all.rawValue

    @Option(help: "Address the HTTP API binds to (env GGW_API_HOST).")
    var apiHost: String = GatewayEnvironment.value("GGW_API_HOST") ?? "127.0.0.1"

    @Option(help: "Port of the HTTP API (env GGW_API_PORT); 0 picks a free one.")
    var apiPort: Int = GatewayEnvironment.value("GGW_API_PORT").flatMap(Int.init) ?? 8480

    @Option(help: "Where the admin API key is, as env:NAME or file:/path; the admin API is off when it cannot be read.")
    var adminKey: String = GatewayEnvironment.value("GGW_ADMIN_KEY_REF") ?? "env:GGW_ADMIN_API_KEY"

    @Option(help: "Port of the operations listener (/metrics, /admin, /health, /ready; env GGW_OPS_PORT); the public listener then serves neither /metrics nor /admin.")
    var opsPort: Int?

    @Option(help: "Address the operations listener binds to (env GGW_OPS_HOST).")
    var opsHost: String = GatewayEnvironment.value("GGW_OPS_HOST") ?? "127.0.0.1"

    @Flag(help: "Without --ops-port: serve /metrics on the public listener without the admin key.")
    var publicMetrics = false

    @Option(help: "Milliseconds an API request waits for its org's rate limiter before it is answered 429.")
    var apiMaxLimiterWaitMs: Int = 2000

    private var checkedReceiptRetention: Duration {
        get throws {
            let hours = try GatewayEnvironment.integer(
                receiptRetentionHours, option: "--receipt-retention-hours", environment: "GGW_RECEIPT_RETENTION_HOURS",
                in: 1...8760, unit: "hours")
            return .seconds((hours ?? 168) * 3600)
        }
    }

    private var statusEventLevel: StatusEventLevel {
        get throws {
            guard let level = StatusEventLevel(rawValue: statusEvents) else {
                throw ValidationError("--status-events must be all or outcomes, not '\(statusEvents)'")
            }
            return level
        }
    }

    func run() async throws {
        try logging.bootstrap()
        // Read before anything starts: files the listener could not serve stop the command here, naming the option.
        let tlsSettings = try tls.settings()
        let shared = try sharedMode.settings()
        let statusHistoryLimits = try statusHistory.limits()
        let receiptRetention = try checkedReceiptRetention
        let transport = try httpTransport.settings()
        let scheme = tlsSettings == nil ? "http" : "https"
        let logger = Logger(label: "genesys-gateway")
        if !transport.isEmpty { logger.info("outgoing HTTP", metadata: HTTPTransportOptions.metadata(transport)) }
        // Its own HTTP client: a slow tenant service never holds a connection Genesys calls need.
        let tenantServiceSettings = try tenantService.settings()
        let tenantServiceHTTP = tenantServiceSettings.map { _ in CurlHTTPClient(maxConnectionsPerHost: 2, transport: transport) }
        let tenantServiceSource = tenantServiceSettings.flatMap { settings in
            tenantServiceHTTP.map { TenantServiceSource(settings: settings, http: $0) }
        }
        let genesysHosts = try sources.genesysHosts
        await tenantServiceSource?.fetchAtStart(logger: logger)
        let configuration = GatewayConfiguration.load(
            configDirectory: sources.configDir, pluginsDirectory: sources.pluginsDir, tenantService: tenantServiceSource?.document,
            genesysHosts: genesysHosts, logger: logger)
        for error in configuration.pluginErrors {
            logger.error("plugin refused", metadata: ["error": "\(error)"])
        }
        for error in configuration.configErrors {
            logger.error("tenant config error", metadata: ["error": "\(error)"])
        }
        guard !configuration.tenants.isEmpty else {
            logger.critical("no valid tenant to serve", metadata: ["config.dir": "\(sources.configDir)"])
            await tenantServiceHTTP?.shutdown()
            throw ExitCode(1)
        }
        let guarded = configuration.tenants.filter { $0.publishers != nil }.map(\.id)
        if !guarded.isEmpty, (try? AMQPURL(parsing: queue.amqpURL))?.userName == nil {
            // The gateway's own copies (org queues, retry tiers) must carry its user, or they would be refused too.
            await tenantServiceHTTP?.shutdown()
            throw ValidationError(
                "tenants \(guarded.joined(separator: ", ")) name publishers, so the gateway stamps its own copies with its RabbitMQ user, which it knows only when it logs in with a user and password: auth_mechanism=external leaves the user to the broker")
        }
        let adminSecret = try adminKeySecret(logger: logger)
        let gateway = try GatewayServices(
            configuration: configuration,
            settings: .init(
                amqp: .init(
                    url: queue.amqpURL, fallbackURLs: Array(queue.amqpURLs.dropFirst()), topology: try queue.topology, prefetch: prefetch),
                perOrgInFlight: perOrgInFlight, stateDirectory: stateDir, receiptRetention: receiptRetention,
                shutdownTimeout: .seconds(shutdownTimeout),
                stateManagerURL: stateManagerURL ?? GatewayEnvironment.value("GGW_STATE_MANAGER_URL"), maxConnectionsPerHost: maxConnectionsPerHost,
                api: APISettings(
                    host: apiHost, port: apiPort, adminKey: adminSecret, maxLimiterWait: .milliseconds(apiMaxLimiterWaitMs),
                    operations: (opsPort ?? GatewayEnvironment.value("GGW_OPS_PORT").flatMap(Int.init)).map { port in
                        APISettings.Listener(host: opsHost, port: port) { port in
                            logger.info("operations API listening", metadata: ["address": "\(scheme)://\(opsHost):\(port)"])
                        }
                    },
                    publicMetrics: publicMetrics, tls: tlsSettings,
                    onServerRunning: { port in logger.info("HTTP API listening", metadata: ["address": "\(scheme)://\(apiHost):\(port)"]) }),
                configDirectory: sources.configDir, shared: shared, tenantService: tenantServiceSource,
                statusEvents: try statusEventLevel, statusHistory: statusHistoryLimits, genesysHosts: genesysHosts,
                httpTransport: transport),
            logger: logger)
        // The one process-wide setting: HTTP request metrics (Hummingbird's middleware) go to the same registry.
        MetricsSystem.bootstrap(gateway.metrics.factory)
        logger.info(
            "gateway starting",
            metadata: [
                "tenants": "\(configuration.tenants.map(\.id).joined(separator: ","))",
                "plugins": "\(configuration.plugins.plugins.map(\.name).joined(separator: ","))",
            ])
        // The executable owns the signals: SIGTERM or SIGINT starts the gateway's graceful shutdown.
        let group = ServiceGroup(
            configuration: .init(services: [gateway, HeapReturn()], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await tenantServiceHTTP?.shutdown()
            throw error
        }
        await tenantServiceHTTP?.shutdown()
    }

    /// The admin key, or nil (admin API off) when its reference names nothing readable.
    private func adminKeySecret(logger: Logger) throws -> Secret? {
        guard let reference = SecretReference(parsing: adminKey) else {
            throw ValidationError("--admin-key must be env:NAME or file:/absolute/path, not the key itself")
        }
        do {
            return try SecretResolver().resolve(reference)
        } catch {
            logger.notice("admin API is off: no admin key", metadata: ["admin.key": "\(reference)", "reason": "\(error.reason)"])
            return nil
        }
    }
}
