import GatewayTestSupport
import Testing
@testable import Telemetry

/// The TLS certificate's series: none without TLS; reloads by result (both from 0) and the served certificate's
/// not-after once the gateway records them. The exposition is parsed strictly.
@Suite(.timeLimit(.minutes(1))) struct TLSCertificateMetricsTests {
    let reloads = "genesys_gateway_tls_certificate_reloads_total"
    let expiry = "genesys_gateway_tls_certificate_expiry_timestamp_seconds"

    @Test func reloadsByResultAndTheServedCertificatesExpiry() async throws {
        let fixture = try MetricsFixture()
        let registry = try fixture.registry()
        let metrics = GatewayMetrics(tenants: { registry })
        let plain = try PrometheusExposition(parsing: await metrics.exposition())
        #expect(plain.types[reloads] == nil && plain.types[expiry] == nil)

        metrics.recordServingCertificate(expiresAt: 1_800_000_000)
        metrics.recordCertificateReload(succeeded: false)
        metrics.recordCertificateReload(succeeded: true)
        metrics.recordCertificateReload(succeeded: true)
        metrics.recordServingCertificate(expiresAt: 1_900_000_000)
        let exposition = try PrometheusExposition(parsing: await metrics.exposition())
        #expect(exposition.types[reloads] == "counter" && exposition.types[expiry] == "gauge")
        #expect(exposition.value(reloads, ["result": "ok"]) == 2)
        #expect(exposition.value(reloads, ["result": "failed"]) == 1)
        #expect(exposition.value(expiry, [:]) == 1_900_000_000)
    }
}
