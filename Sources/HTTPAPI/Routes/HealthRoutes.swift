import Broker
import GatewayConfig
import GatewayDelivery
import Hummingbird
import OrgServices

/// `GET /health` (the process answers) and `GET /ready` (RabbitMQ connected, tenants loaded, the idempotency record
/// writable; in shared mode also whether Redis answered the last heartbeat — reported, not required, since every
/// shared part falls back to this replica's own while Redis is away), on every listener and open to anyone who
/// can reach it, as load balancers expect. (`/metrics` is the listener's choice: ``GatewayAPI``.)
///
/// A failing tenant service is listed in `problems` but leaves the gateway ready: its last good tenant set stays
/// in force and every message is delivered as before, and a 503 would take every replica out of rotation at once
/// for an outage that costs no delivery.
struct HealthRoutes {
    let services: APIServices

    struct Readiness: Encodable {
        var ready: Bool
        var rabbitmq: String
        /// `connected` or `disconnected` in shared mode; absent for a single process.
        var redis: String?
        var tenants: Int
        /// Why the gateway is not ready, and what is wrong without making it so (a failing tenant service).
        var problems: [String]
    }

    func register(on router: Router<APIRequestContext>) {
        router.get("health") { _, _ in try Response.json(["status": "up"]) }
        router.get("ready") { _, _ in
            let readiness = await Self.readiness(of: services)
            return try Response.json(readiness, status: readiness.ready ? .ok : .serviceUnavailable)
        }
    }

    /// What `GET /ready` answers; `/metrics` exports its `ready` as `genesys_gateway_ready`.
    static func readiness(of services: APIServices) async -> Readiness {
        let connected = services.amqp.isConnected
        let tenants = services.registry.all.count
        var problems: [String] = []
        if !connected { problems.append("RabbitMQ is not connected") }
        if tenants == 0 { problems.append("no tenant config is loaded") }
        if let problem = services.delivery.sent.writeProblem { problems.append(problem) }
        if let problem = await services.conversations.writeProblem { problems.append(problem) }
        let ready = problems.isEmpty
        if let problem = services.tenantService?.problem { problems.append(problem) }
        return Readiness(
            ready: ready, rabbitmq: connected ? "connected" : "disconnected",
            redis: services.replicas.map { $0.isRedisReachable ? "connected" : "disconnected" }, tenants: tenants, problems: problems)
    }
}
