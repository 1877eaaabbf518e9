public import GatewayConfig
public import GatewayCore
public import Logging
public import ServiceLifecycle

/// Fetches the tenant service's document every poll interval and, when it changed, puts it in force through
/// the same reload as the config directory: unchanged orgs keep their token, limiter and breaker.
///
/// While the service is down or answers garbage, nothing is dropped: the last good document stays, each
/// failed fetch is logged and counted (``TenantServiceHealth``), and `/ready` lists the problem.
public struct TenantServicePoller: Service {
    private let source: TenantServiceSource
    private let reloader: ConfigReloader
    private let clock: any MonotonicClock
    private let logger: Logger

    public init(source: TenantServiceSource, reloader: ConfigReloader, clock: any MonotonicClock = SystemClock(), logger: Logger) {
        self.source = source
        self.reloader = reloader
        self.clock = clock
        self.logger = logger
    }

    /// Polls until cancelled or a graceful shutdown.
    public func run() async throws {
        logger.info(
            "polling the tenant service",
            metadata: ["tenant_service.url": "\(source.settings.displayURL)", "poll.interval": "\(source.settings.pollInterval)"])
        await cancelWhenGracefulShutdown {
            while true {
                do {
                    try await clock.sleep(for: source.settings.pollInterval)
                } catch {
                    return  // cancelled
                }
                await poll()
            }
        }
    }

    /// One fetch, and a reload when it brought a new document.
    @discardableResult
    func poll() async -> TenantServiceSource.Fetch {
        let fetch = await source.fetch()
        switch fetch {
        case .changed:
            await reloader.reload(trigger: .tenantService)
        case .notModified:
            logger.debug("tenant service document unchanged", metadata: ["tenant_service.url": "\(source.settings.displayURL)"])
        case .failed(let error):
            logger.error(
                "tenant service fetch failed; its last good tenant set stays in force",
                metadata: [
                    "tenant_service.url": "\(error.url)", "tenant_service.result": "\(error.kind.rawValue)", "error": "\(error.message)",
                ])
        }
        return fetch
    }
}
