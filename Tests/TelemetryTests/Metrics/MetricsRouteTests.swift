import Foundation
import GatewayTestSupport
import Hummingbird
import Logging
import Synchronization
import Testing
@testable import GatewayCore
@testable import CurlHTTP
@testable import Telemetry

/// `GET /metrics` over real HTTP (Hummingbird on 127.0.0.1, fetched with libcurl): status, content type,
/// an exposition that parses, and counters that move between two scrapes.
@Suite(.timeLimit(.minutes(1))) struct MetricsRouteTests {
    @Test func servesTheExpositionWithItsContentTypeAndFreshValues() async throws {
        let fixture = try MetricsFixture()
        let registry = try fixture.registry()
        let metrics = GatewayMetrics(tenants: { registry })
        let router = Router()
        router.addMetricsRoute(metrics)
        try await Self.serve(router) { port in
            let client = CurlHTTPClient()
            let request = GatewayCore.HTTPRequest(
                method: "GET", url: "http://127.0.0.1:\(port)/metrics", headers: [], body: [],
                connectTimeout: .seconds(2), totalTimeout: .seconds(5))
            let sent = "genesys_gateway_messages_sent_total"
            let us = MetricsFixture.labels(MetricsFixture.acmeUS)

            let before = try await client.execute(request)
            #expect(before.status == 200)
            #expect(before.headers["content-type"] == GatewayMetrics.contentType)
            #expect(try PrometheusExposition(parsing: String(decoding: before.body, as: UTF8.self)).value(sent, us) == 0)

            _ = await fixture.deliver("ok", to: MetricsFixture.acmeUS, registry: registry, metrics: metrics)
            let after = try await client.execute(request)
            #expect(try PrometheusExposition(parsing: String(decoding: after.body, as: UTF8.self)).value(sent, us) == 1)
            await client.shutdown()
        }
    }

    @Test func exportsTheReadinessAskedForAtEachScrape() async throws {
        let fixture = try MetricsFixture()
        let registry = try fixture.registry()
        let metrics = GatewayMetrics(tenants: { registry })
        let isReady = Atomic<Bool>(true)
        let router = Router()
        router.addMetricsRoute(metrics, readiness: { isReady.load(ordering: .relaxed) })
        try await Self.serve(router) { port in
            let client = CurlHTTPClient()
            let request = GatewayCore.HTTPRequest(
                method: "GET", url: "http://127.0.0.1:\(port)/metrics", headers: [], body: [],
                connectTimeout: .seconds(2), totalTimeout: .seconds(5))
            func ready() async throws -> Double? {
                let response = try await client.execute(request)
                return try PrometheusExposition(parsing: String(decoding: response.body, as: UTF8.self)).value("genesys_gateway_ready", [:])
            }
            let first = try await ready()
            isReady.store(false, ordering: .relaxed)
            let lost = try await ready()
            isReady.store(true, ordering: .relaxed)
            let back = try await ready()
            #expect(first == 1)
            #expect(lost == 0)
            #expect(back == 1)
            await client.shutdown()
        }
    }

    @Test func withoutAReadinessTheReadyGaugeIsAbsent() async throws {
        let registry = try MetricsFixture().registry()
        let exposition = try PrometheusExposition(parsing: await GatewayMetrics(tenants: { registry }).exposition())
        #expect(exposition.samples.allSatisfy { $0.name != "genesys_gateway_ready" })
    }

    /// Runs `router` on a free port of 127.0.0.1 while `body` runs.
    static func serve(_ router: Router<BasicRequestContext>, _ body: (Int) async throws -> Void) async throws {
        let (ports, port) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "metrics-route")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { port.yield($0.localAddress?.port ?? 0) }, logger: logger)
        try await TestServer.run(app, logger: logger) {
            for await bound in ports {
                try await body(bound)
                break
            }
        }
    }
}
