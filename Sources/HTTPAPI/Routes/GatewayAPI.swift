public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
public import ServiceLifecycle
import Telemetry

/// The gateway's HTTP API (docs/openapi.yaml): tenant routes under `/v1` behind tenant API keys, the Genesys
/// webhook, operations routes, and `/admin` behind the admin key — on one listener, or split between a public
/// and an operations listener (``APIListener``).
public struct GatewayAPI: Sendable {
    public let services: APIServices

    public init(services: APIServices) {
        self.services = services
    }

    /// The routes of `listener`, with their middleware.
    public func makeRouter(for listener: APIListener = .single(openMetrics: false)) -> Router<APIRequestContext> {
        // The routes are registered once on a bare router only to learn each path's methods, which the 405
        // middleware needs before the real routes are added behind it.
        let probe = Router(context: APIRequestContext.self)
        register(listener, on: probe)
        let allowed = AllowedMethods(routes: probe.routes.map { (path: $0.path.description, method: $0.method) })

        let router = Router(context: APIRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        // Requests by route template, method and status (bounded labels), through swift-metrics: counted once
        // `main` bootstraps the metrics system with ``GatewayMetrics/factory``, which `run` does.
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: MethodNotAllowedMiddleware(allowed: allowed))
        register(listener, on: router)
        return router
    }

    private func register(_ listener: APIListener, on router: Router<APIRequestContext>) {
        HealthRoutes(services: services).register(on: router)
        if listener.servesOperations {
            if let metrics = services.metrics {
                let services = services
                let readiness: @Sendable () async -> Bool = { await HealthRoutes.readiness(of: services).ready }
                if listener == .single(openMetrics: false) {
                    router.group().add(middleware: AdminAuthenticator(adminKey: services.adminKey))
                        .addMetricsRoute(metrics, readiness: readiness)
                } else {
                    router.addMetricsRoute(metrics, readiness: readiness)
                }
            }
            let admin = router.group("admin").add(middleware: AdminAuthenticator(adminKey: services.adminKey))
            AdminRoutes(services: services).register(on: admin)
            ReplicaRoutes(services: services).register(on: admin)
        }
        guard listener.servesTenantRoutes else { return }
        if let webhook = services.webhook {
            WebhookRoutes(handler: webhook).register(on: router)
        }
        let tenantRoutes = router.group("v1").add(middleware: TenantAuthenticator(registry: services.registry))
        let messages = MessageRoutes(services: services)
        messages.register(on: tenantRoutes)
        ConversationRoutes(services: services, messages: messages).register(on: tenantRoutes)
    }

    /// The HTTP server of one listener, as a `Service` for the gateway's service group.
    /// - Parameters:
    ///   - listener: which routes it serves.
    ///   - tls: serve HTTPS with the store's certificate (read again at every handshake, so a reload reaches new
    ///     connections without the listener closing); nil serves plain HTTP.
    ///   - onServerRunning: told the bound port (use port 0 in tests for a free one).
    /// - Throws: when swift-nio-ssl refuses the TLS settings (the certificate was checked before, so hardly ever).
    public func makeApplication(
        _ listener: APIListener, host: String, port: Int, tls: ServingCertificateStore? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol & Service {
        let server: HTTPServerBuilder = try tls.map { try HTTPServerBuilder.tls(.http1(), tlsConfiguration: $0.tlsConfiguration) } ?? .http1()
        return Application(
            router: makeRouter(for: listener),
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "genesys-gateway"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: services.logger)
    }
}
