import Hummingbird
import Logging
import OrgServices

/// `GET /admin/replicas`: in shared mode, the replicas whose heartbeat is live in Redis.
struct ReplicaRoutes {
    let services: APIServices

    struct Replicas: Encodable {
        /// Whether this gateway runs in shared mode (`run --redis-url`).
        var sharedMode: Bool
        /// This replica's id; nil outside shared mode.
        var replicaId: String?
        /// `connected` or `disconnected`; nil outside shared mode.
        var redis: String?
        var replicas: [ReplicaRecord]
    }

    func register(on router: RouterGroup<APIRequestContext>) {
        router.get("replicas") { _, context in
            guard let directory = services.replicas else {
                return try Response.json(Replicas(sharedMode: false, replicas: []))
            }
            do {
                return try Response.json(Replicas(
                    sharedMode: true, replicaId: directory.id, redis: "connected", replicas: try await directory.replicas()))
            } catch {
                context.logger.warning("replica list unavailable", metadata: ["redis.error": "\(error)"])
                return try Response.json(
                    Replicas(sharedMode: true, replicaId: directory.id, redis: "disconnected", replicas: []),
                    status: .serviceUnavailable)
            }
        }
    }
}
