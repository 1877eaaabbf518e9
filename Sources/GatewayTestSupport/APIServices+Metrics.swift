import HTTPAPI
import Telemetry

extension APIServices {
    /// These services with the gateway's Prometheus metrics, read from their own registry at scrape time as `run`
    /// gives them to the API, so `/metrics` is served.
    ///
    /// For in-process route tests (`HTTPAPITests`) whose target does not depend on `Telemetry`: they get the
    /// route without naming the metrics type.
    public func withMetrics() -> APIServices {
        var services = self
        let registry = registry
        services.metrics = GatewayMetrics(tenants: { registry })
        return services
    }
}
