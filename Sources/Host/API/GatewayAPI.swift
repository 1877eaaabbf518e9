import Hummingbird
import Logging
import ServiceLifecycle

/// The gateway's HTTP API (docs/openapi.yaml): tenant routes under `/v1` behind tenant API keys, the Genesys
/// webhook, operations routes, and `/admin` behind the admin key.
public struct GatewayAPI: Sendable {
    public let services: APIServices

    public init(services: APIServices) {
        self.services = services
    }

    /// Every route, with its middleware.
    public func makeRouter() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        // Requests by route template, method and status (bounded labels), through swift-metrics: counted once
        // `main` bootstraps the metrics system with ``GatewayMetrics/factory``, which `run` does.
        router.add(middleware: MetricsMiddleware())
        OperationsRoutes(services: services).register(on: router)
        if let webhook = services.webhook {
            WebhookRoutes(handler: webhook).register(on: router)
        }
        let tenantRoutes = router.group("v1").add(middleware: TenantAuthenticator(registry: services.registry))
        let messages = MessageRoutes(services: services)
        messages.register(on: tenantRoutes)
        ConversationRoutes(services: services, messages: messages).register(on: tenantRoutes)
        let admin = router.group("admin").add(middleware: AdminAuthenticator(adminKey: services.adminKey))
        AdminRoutes(services: services).register(on: admin)
        ReplicaRoutes(services: services).register(on: admin)
        return router
    }

    /// The HTTP server, as a `Service` for the gateway's service group.
    /// - Parameter onServerRunning: told the bound port (use port 0 in tests for a free one).
    public func makeApplication(
        host: String, port: Int, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol & Service {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "genesys-gateway"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: services.logger)
    }
}
