import GatewayConfig
import GatewayCore
import Hummingbird
import Logging
import OrgServices
import QueuePipeline

/// `/admin/...`, behind the admin key: every tenant's orgs with breaker and limiter state, forcing a breaker,
/// reloading tenant configs.
struct AdminRoutes {
    let services: APIServices

    struct OrgState: Encodable {
        var name: String
        var isDefault: Bool
        var integrationId: String
        var messageTypes: [String]
        var errorPolicy: String
        var breaker: Breaker
        var limiter: Limiter
        var queue: Queue
    }

    /// The org's messages not yet settled: ready in its queue in RabbitMQ, and taken into the gateway.
    struct Queue: Encodable {
        var waiting: Int
        var inGateway: Int
    }

    struct Breaker: Encodable {
        var state: String
        var calls: Int
        var failures: Int
        var trips: Int
        var openForSeconds: Double
    }

    struct Limiter: Encodable {
        var configuredRate: Double
        var currentRate: Double
        var queued: Int
        var throttledCount: Int
        var pausedForSeconds: Double
    }

    struct TenantState: Encodable {
        var id: String
        var displayName: String
        var enabled: Bool
        var source: String
        var orgs: [OrgState]
    }

    struct ForceBreaker: Decodable {
        var state: String
    }

    func register(on router: RouterGroup<APIRequestContext>) {
        router.get("tenants") { _, _ in
            var tenants: [TenantState] = []
            let backlog = services.backlog?.snapshot() ?? [:]
            for tenant in services.registry.all {
                var orgs: [OrgState] = []
                for org in tenant.orgs.values.sorted(by: { $0.key.orgName < $1.key.orgName }) {
                    orgs.append(await Self.state(of: org, backlog: backlog[org.key] ?? OrgBacklog()))
                }
                tenants.append(TenantState(
                    id: tenant.config.id, displayName: tenant.config.displayName, enabled: tenant.config.enabled,
                    source: tenant.config.source.path, orgs: orgs))
            }
            return try Response.json(["tenants": tenants])
        }
        router.post("tenants/:tenant/orgs/:org/breaker") { request, context in
            let tenantID = context.parameters.get("tenant") ?? ""
            let orgName = context.parameters.get("org") ?? ""
            guard let org = services.registry.tenant(tenantID)?.orgs[orgName] else {
                throw APIError.notFound("org '\(tenantID)/\(orgName)'", tenant: tenantID, org: orgName)
            }
            let body = try await RequestBody.decode(ForceBreaker.self, from: request)
            guard let target = CircuitState(rawValue: body.state) else {
                throw APIError.invalidBody("state must be 'open', 'half-open' or 'closed'", field: "state")
            }
            await org.breaker.force(target)
            context.logger.warning(
                "breaker forced by admin", metadata: ["tenant.id": "\(tenantID)", "org.name": "\(orgName)", "circuit.state": "\(body.state)"])
            return try Response.json(await Self.state(of: org, backlog: services.backlog?.snapshot()[org.key] ?? OrgBacklog()))
        }
        router.post("reload") { _, _ in
            guard let reloader = services.reloader else {
                throw APIError(.serviceUnavailable, code: "reload_unavailable", message: "this gateway was started without a config directory to reload")
            }
            return try Response.json(await reloader.reload())
        }
    }

    static func state(of org: OrgRuntime, backlog: OrgBacklog) async -> OrgState {
        let breaker = await org.breaker.snapshot()
        let limiter = await org.limiter.snapshot()
        return OrgState(
            name: org.key.orgName, isDefault: org.config.isDefault, integrationId: org.config.integrationID,
            messageTypes: org.config.messageTypes.map(\.value), errorPolicy: org.config.errorPolicy.value,
            breaker: Breaker(
                state: breaker.state.rawValue, calls: breaker.calls, failures: breaker.failures, trips: breaker.trips,
                openForSeconds: breaker.openFor.seconds),
            limiter: Limiter(
                configuredRate: limiter.configuredRate, currentRate: limiter.currentRate, queued: limiter.queued,
                throttledCount: limiter.throttledCount, pausedForSeconds: limiter.pausedFor.seconds),
            queue: Queue(waiting: backlog.waiting, inGateway: backlog.inGateway))
    }
}
