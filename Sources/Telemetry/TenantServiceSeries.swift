import GatewayConfig
import Prometheus
import Synchronization

/// The tenant service's series: fetches by result, whether the last fetch succeeded, and the age of the last
/// success, all read from its ``TenantServiceHealth`` at scrape time (it counts the fetch made at start, before
/// any metrics existed, too).
final class TenantServiceSeries: Sendable {
    private let health: TenantServiceHealth
    private let fetches: [TenantServiceHealth.FetchResult: Counter]
    private let up: Gauge
    private let lastSuccessAge: Gauge
    /// Counts already added to `fetches`; only one scrape runs at a time (``GatewayMetrics/exposition()``).
    private let added = Mutex<[TenantServiceHealth.FetchResult: Int]>([:])

    init(health: TenantServiceHealth, collectors: PrometheusCollectorRegistry) {
        typealias Families = GatewayMetricFamilies
        self.health = health
        var fetches: [TenantServiceHealth.FetchResult: Counter] = [:]
        for result in TenantServiceHealth.FetchResult.allCases {
            fetches[result] = collectors.makeCounter(
                descriptor: Families.tenantServiceFetches, labels: [(Families.resultLabel, result.rawValue)])
        }
        self.fetches = fetches
        up = collectors.makeGauge(descriptor: Families.tenantServiceUp)
        lastSuccessAge = collectors.makeGauge(descriptor: Families.tenantServiceLastSuccessAge)
    }

    /// Brings every series up to the health as it is now.
    func update() {
        let reading = health.reading
        added.withLock { added in
            for (result, count) in reading.fetches where count > added[result, default: 0] {
                fetches[result]?.increment(by: Int64(count - added[result, default: 0]))
                added[result] = count
            }
        }
        up.set(reading.failure == nil && reading.lastSuccess != nil ? 1.0 : 0.0)
        lastSuccessAge.set(reading.secondsSinceSuccess)
    }
}
