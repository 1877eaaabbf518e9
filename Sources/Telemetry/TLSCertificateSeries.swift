import Prometheus

/// The API listeners' certificate: its reloads by result, and the not-after of the one served. Made only when the
/// gateway serves TLS, so a plain-HTTP gateway shows none of them.
final class TLSCertificateSeries: Sendable {
    static let succeeded = "ok"
    static let failed = "failed"

    private let reloads: [String: Counter]
    private let expiry: Gauge

    init(collectors: PrometheusCollectorRegistry) {
        typealias Families = GatewayMetricFamilies
        // Both results from the start, at 0: `increase(…{result="failed"}[1h]) > 0` then works from the first failure.
        var reloads: [String: Counter] = [:]
        for result in [Self.succeeded, Self.failed] {
            reloads[result] = collectors.makeCounter(descriptor: Families.tlsCertificateReloads, labels: [(Families.resultLabel, result)])
        }
        self.reloads = reloads
        expiry = collectors.makeGauge(descriptor: Families.tlsCertificateExpiry)
    }

    func reloaded(succeeded: Bool) {
        reloads[succeeded ? Self.succeeded : Self.failed]?.increment()
    }

    func serving(expiresAt secondsSince1970: Int) {
        expiry.set(Double(secondsSince1970))
    }
}
