public import GatewayConfig
public import GatewayCore
public import Logging
public import OrgServices
public import ServiceLifecycle
import UnixSignals

/// Reloads the tenant configs into the registry on SIGHUP, when the config directory's files change, when the
/// tenant service's document changes (``TenantServicePoller``), and when asked (the admin API), one reload at a
/// time. Every reload reads the directory and takes the service's last good document, so tenants from both
/// sources go through the same rules (``ReloadPlan``).
///
/// Changes are found by polling a ``ConfigDirectoryFingerprint`` (names, sizes, mtimes, inodes of the
/// `*.yaml` files) every `pollInterval`: cheap, and it works on every filesystem, bind mount and
/// symlink-swapping deploy tool, where inotify misses some. A file caught half-written fails to load, keeps
/// its previous version, and is read again at the next poll once complete. Secrets read from files are
/// re-resolved at every reload, but only a change in the config directory starts one by itself: after
/// rotating a secret file, send SIGHUP.
///
/// Plugins are not reloaded: a tenant file naming a plugin that was not loaded at start fails validation.
public actor ConfigReloader: Service {
    private let configDirectory: String
    private let registry: TenantRegistry
    private let loader = TenantConfigLoader()
    private let validator: TenantConfigValidator
    private let clock: any MonotonicClock
    private let pollInterval: Duration
    private let logger: Logger
    private let onReload: @Sendable (ReloadReport) -> Void
    /// The second source of tenants, if any: its last good document joins every reload.
    private let tenantService: TenantServiceSource?
    /// The directory as the last reload read it; the poll reloads when it differs.
    private var lastSeen: ConfigDirectoryFingerprint

    /// - Parameters:
    ///   - configDirectory: the tenant config directory the registry was loaded from.
    ///   - registry: the registry to put reloaded tenants in (built with ``TenantRegistry/build(configuration:secrets:http:clock:logger:orgState:onBreakerTransition:)``).
    ///   - secrets: resolves secret references when validating files (the resolver the registry was built with).
    ///   - clock: paces the directory poll.
    ///   - pollInterval: how often the directory is checked for changes.
    ///   - tenantService: the tenant service, when tenants also come from one.
    ///   - genesysHosts: the hosts orgs may send to besides Genesys Cloud's regions (as at start).
    ///   - onReload: told of every reload's report, after it is in force (metrics, tests).
    public init(
        configDirectory: String, registry: TenantRegistry, secrets: any SecretResolving, clock: any MonotonicClock = SystemClock(),
        pollInterval: Duration = .seconds(2), tenantService: TenantServiceSource? = nil,
        genesysHosts: GenesysHostPolicy = .regionsOnly, logger: Logger, onReload: @escaping @Sendable (ReloadReport) -> Void = { _ in }
    ) {
        self.configDirectory = configDirectory
        self.tenantService = tenantService
        self.registry = registry
        self.validator = TenantConfigValidator(plugins: registry.plugins, secrets: secrets, genesysHosts: genesysHosts)
        self.clock = clock
        self.pollInterval = pollInterval
        self.logger = logger
        self.onReload = onReload
        // Taken now, right after the start-up load, so a change made before `run` starts is still noticed.
        lastSeen = ConfigDirectoryFingerprint(directory: configDirectory, loader: TenantConfigLoader())
    }

    /// Reloads on SIGHUP and on directory changes until cancelled or a graceful shutdown.
    public nonisolated func run() async throws {
        // Trapped before the poll starts, so a SIGHUP from then on reloads instead of ending the process.
        let signals = await UnixSignalsSequence(trapping: .sighup)
        logger.info(
            "watching tenant configs", metadata: ["config.directory": "\(configDirectory)", "poll.interval": "\(pollInterval)"])
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in signals { await self.reload(trigger: .signal) }
                }
                group.addTask { await self.pollUntilCancelled() }
            }
        }
    }

    /// Reloads now and says what changed. Waits for a reload already running to finish first.
    public func reload() async -> ReloadReport {
        reload(trigger: .request)
    }

    /// Reloads if the directory changed since the last reload; nil if it did not.
    @discardableResult
    func reloadIfChanged() -> ReloadReport? {
        guard ConfigDirectoryFingerprint(directory: configDirectory, loader: loader) != lastSeen else { return nil }
        return reload(trigger: .fileChange)
    }

    private nonisolated func pollUntilCancelled() async {
        while true {
            do {
                try await clock.sleep(for: pollInterval)
            } catch {
                return  // cancelled
            }
            await reloadIfChanged()
        }
    }

    /// One whole reload. It never suspends, so the actor runs reloads strictly one after another.
    @discardableResult
    func reload(trigger: ReloadReport.Trigger) -> ReloadReport {
        // Taken before reading: a change made while reading is seen by the next poll.
        lastSeen = ConfigDirectoryFingerprint(directory: configDirectory, loader: loader)
        let plan = ReloadPlan(
            directory: configDirectory, loader: loader, validator: validator, inForce: registry.all.map(\.config),
            tenantService: tenantService?.document)
        let changes = registry.apply(plan.configs, keeping: plan.keeping)
        let report = ReloadReport(trigger: trigger, plan: plan, changes: changes)
        log(report)
        onReload(report)
        return report
    }

    private func log(_ report: ReloadReport) {
        for failed in report.failedFiles {
            logger.error(
                failed.keptPreviousVersion ? "tenant source refused; its previous version stays in force" : "tenant source refused",
                metadata: [
                    "file.path": "\(failed.path)", "tenant.id": "\(failed.keptTenantId ?? "")",
                    "errors": .array(failed.errors.map { .string($0) }),
                ])
        }
        func list(_ names: [String]) -> Logger.MetadataValue { .array(names.map { .string($0) }) }
        func orgs(_ orgs: [ReloadReport.Org]) -> Logger.MetadataValue { list(orgs.map { "\($0.tenantId)/\($0.org)" }) }
        logger.info(
            report.succeeded ? "tenant configs reloaded" : "tenant configs reloaded with refused files",
            metadata: [
                "reload.trigger": "\(report.trigger.rawValue)", "tenants.added": list(report.tenantsAdded),
                "tenants.updated": list(report.tenantsUpdated), "tenants.removed": list(report.tenantsRemoved),
                "tenants.unchanged": "\(report.tenantsUnchanged.count)", "orgs.new_credentials": orgs(report.orgsWithNewCredentials),
                "orgs.new_limiter": orgs(report.orgsWithNewRateLimiter), "orgs.new_breaker": orgs(report.orgsWithNewCircuitBreaker),
                "files.refused": "\(report.failedFiles.count)",
            ])
    }
}

extension ReloadReport {
    /// The report of a plan put in force.
    init(trigger: Trigger, plan: ReloadPlan, changes: TenantRegistryChanges) {
        self.init(trigger: trigger)
        tenantsAdded = changes.added
        tenantsUpdated = changes.updated
        tenantsRemoved = changes.removed
        tenantsUnchanged = changes.unchanged
        orgsAdded = changes.orgsAdded.map(Org.init)
        orgsRemoved = changes.orgsRemoved.map(Org.init)
        orgsWithNewCredentials = changes.orgsWithNewCredentials.map(Org.init)
        orgsWithNewRateLimiter = changes.orgsWithNewRateLimiter.map(Org.init)
        orgsWithNewCircuitBreaker = changes.orgsWithNewCircuitBreaker.map(Org.init)
        failedFiles = plan.failedFiles + changes.failures.map { failure in
            FailedFile(
                path: failure.error.path, errors: [failure.error.description],
                keptTenantId: failure.keptPreviousVersion ? failure.tenantID : nil)
        }
        failedFiles.sort { $0.path < $1.path }
    }
}
