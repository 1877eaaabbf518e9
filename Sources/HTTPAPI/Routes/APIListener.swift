/// Which of the API's routes one listener serves (README "HTTP API", issue 11 item 10).
///
/// `/metrics` names every tenant and org, and `/admin` changes the gateway's state: neither belongs on the
/// listener that takes public webhooks. With an operations listener they move there; without one, `/metrics`
/// stays on the one listener behind the admin key unless the operator opens it on purpose.
public enum APIListener: Sendable, Equatable {
    /// The only listener: every route. `/metrics` needs the admin key unless `openMetrics`
    /// (`run --public-metrics`).
    case single(openMetrics: Bool)
    /// The public listener beside an operations listener: `/v1`, the webhook, `/health`, `/ready`.
    case publicOnly
    /// The operations listener (`run --ops-port`): `/health`, `/ready`, `/metrics` (open: whoever reaches this
    /// address is trusted to read it) and `/admin` (admin key).
    case operations

    var servesTenantRoutes: Bool { self != .operations }
    var servesOperations: Bool { self != .publicOnly }
}
