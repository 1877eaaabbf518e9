import Foundation
import GatewayTestSupport
import Synchronization
import Testing
@testable import GatewayCore
@testable import OrgServices
@testable import GatewayDelivery
@testable import QueuePipeline
@testable import Telemetry

/// Per-org counters from Genesys calls and status events, scrape-time limiter/breaker/token series, label
/// bounds and reloads; every exposition is parsed strictly.
@Suite(.timeLimit(.minutes(1))) struct GatewayMetricsTests {
    typealias Fixture = MetricsFixture
    let prefix = "genesys_gateway_"

    func scrape(_ metrics: GatewayMetrics) async throws -> PrometheusExposition {
        try PrometheusExposition(parsing: await metrics.exposition())
    }

    @Test func countsSendsFailuresThrottlingAndLatencyPerOrg() async throws {
        let fixture = try Fixture()
        let registry = try fixture.registry()
        let metrics = GatewayMetrics(tenants: { registry })
        for text in ["ok", "ok", "ok", "fail"] {
            _ = await fixture.deliver(text, to: Fixture.acmeUS, registry: registry, metrics: metrics)
        }
        _ = await fixture.deliver("ok", to: Fixture.acmeEU, registry: registry, metrics: metrics)
        _ = await fixture.deliver("busy", to: Fixture.globex, registry: registry, metrics: metrics)

        let exposition = try await scrape(metrics)
        let us = Fixture.labels(Fixture.acmeUS), eu = Fixture.labels(Fixture.acmeEU), globex = Fixture.labels(Fixture.globex)
        #expect(exposition.value(prefix + "messages_sent_total", us) == 3)
        #expect(exposition.value(prefix + "messages_failed_total", us) == 1)
        #expect(exposition.value(prefix + "messages_sent_total", eu) == 1)
        #expect(exposition.value(prefix + "messages_failed_total", eu) == 0)
        #expect(exposition.value(prefix + "genesys_throttled_total", globex) == 1)
        #expect(exposition.value(prefix + "messages_failed_total", globex) == 1)
        #expect(exposition.value(prefix + "genesys_throttled_total", us) == 0)

        let latency = prefix + "genesys_request_duration_seconds"
        #expect(exposition.types[latency] == "histogram")
        #expect(exposition.value(latency + "_count", us.merging(["operation": "message"]) { $1 }) == 4)
        // The three 200s took 30 ms: in the 50 ms bucket, not in the 25 ms one.
        #expect(exposition.value(latency + "_bucket", us.merging(["operation": "message", "le": "0.025"]) { $1 }) == 1)
        #expect(exposition.value(latency + "_bucket", us.merging(["operation": "message", "le": "0.05"]) { $1 }) == 4)

        #expect(exposition.value(prefix + "token_renewals_total", us) == 1)
        #expect(exposition.value(prefix + "token_renewals_total", eu) == 1)
        #expect(exposition.value(prefix + "rate_limiter_configured_rate", us) == 200)
        #expect(exposition.value(prefix + "rate_limiter_rate", us) == 200)
        #expect(exposition.value(prefix + "rate_limiter_queued", us) == 0)
        // globex's 429 halved its rate and paused it for the default second.
        #expect(exposition.value(prefix + "rate_limiter_rate", globex) == 100)
        #expect(exposition.value(prefix + "rate_limiter_paused_seconds", globex) == 1)
        #expect(exposition.value(prefix + "circuit_breaker_state", us) == 0)
    }

    @Test func countsGenesysErrorsByStatusCodeAndUnansweredCallsAsNone() async throws {
        let fixture = try Fixture()
        let registry = try fixture.registry()
        let metrics = GatewayMetrics(tenants: { registry })
        for text in ["ok", "fail", "fail", "busy"] {
            _ = await fixture.deliver(text, to: Fixture.acmeUS, registry: registry, metrics: metrics)
        }
        // Any operation counts, and a call that got no answer (status nil) is code "none".
        metrics.observe(GenesysCallRecord(org: Fixture.acmeEU, operation: "conversation.get", status: 404, duration: .milliseconds(1)))
        metrics.observe(GenesysCallRecord(org: Fixture.acmeEU, operation: "message", status: nil, duration: .seconds(5)))
        metrics.observe(GenesysCallRecord(org: Fixture.acmeEU, operation: "message", status: 202, duration: .milliseconds(1)))

        let exposition = try await scrape(metrics)
        let errors = prefix + "genesys_errors_total"
        #expect(exposition.types[errors] == "counter")
        func code(_ org: OrgKey, _ code: String) -> [String: String] {
            Fixture.labels(org).merging(["code": code]) { $1 }
        }
        #expect(exposition.value(errors, code(Fixture.acmeUS, "500")) == 2)
        #expect(exposition.value(errors, code(Fixture.acmeUS, "429")) == 1)
        #expect(exposition.value(errors, code(Fixture.acmeEU, "404")) == 1)
        #expect(exposition.value(errors, code(Fixture.acmeEU, "none")) == 1)
        // 2xx answers make no error series at all (no code="200", no code="202").
        #expect(exposition.samples(errors, matching: Fixture.labels(Fixture.acmeUS)).count == 2)
        #expect(exposition.samples(errors, matching: Fixture.labels(Fixture.acmeEU)).count == 2)
        #expect(exposition.samples(errors, matching: Fixture.labels(Fixture.globex)).isEmpty)
    }

    /// During a webhook secret rotation the operator watches `secret="2"` (the old one) stop growing.
    @Test func countsWebhookSignaturesBySecret() async throws {
        let fixture = try Fixture()
        let registry = try fixture.registry()
        let metrics = GatewayMetrics(tenants: { registry })
        metrics.webhookSignatureMatched(org: Fixture.acmeUS, secret: 0)
        metrics.webhookSignatureMatched(org: Fixture.acmeUS, secret: 1)
        metrics.webhookSignatureMatched(org: Fixture.acmeUS, secret: 1)
        let exposition = try await scrape(metrics)
        let us = Fixture.labels(Fixture.acmeUS)
        #expect(exposition.value(prefix + "webhook_signatures_total", us.merging(["secret": "1"]) { $1 }) == 1)
        #expect(exposition.value(prefix + "webhook_signatures_total", us.merging(["secret": "2"]) { $1 }) == 2)
    }

    @Test func countsQueuedOutcomesFromStatusEvents() async throws {
        let fixture = try Fixture()
        let registry = try fixture.registry()
        let metrics = GatewayMetrics(tenants: { registry })
        let statuses: [StatusEvent.Status] = [.accepted, .retrying, .retrying, .deadLettered, .parked, .sent, .circuit]
        for status in statuses {
            await metrics.publish(StatusEvent(status: status, messageId: "m", tenantId: "acme", org: "eu"))
        }
        var resent = StatusEvent(status: .sent, messageId: "m-2", tenantId: "acme", org: "eu")
        resent.possibleDuplicate = true
        await metrics.publish(resent)
        let exposition = try await scrape(metrics)
        let eu = Fixture.labels(Fixture.acmeEU)
        #expect(exposition.value(prefix + "messages_possible_duplicates_total", eu) == 1)
        #expect(exposition.value(prefix + "messages_retried_total", eu) == 2)
        #expect(exposition.value(prefix + "messages_dead_lettered_total", eu) == 1)
        #expect(exposition.value(prefix + "messages_parked_total", eu) == 1)
        // A `sent` status is not counted again: sends are counted from Genesys' answers.
        #expect(exposition.value(prefix + "messages_sent_total", eu) == 0)
        #expect(exposition.value(prefix + "messages_retried_total", Fixture.labels(Fixture.acmeUS)) == 0)
    }

    @Test func countsExpiredMessagesByTypeWithinTheConfiguredTypes() async throws {
        let fixture = try Fixture()
        let registry = try fixture.registry()
        let metrics = GatewayMetrics(tenants: { registry })
        for type in ["text", "text", "fax-\(UUID())", nil] {
            var event = StatusEvent(status: .expired, messageId: "m", tenantId: "acme", org: "eu")
            event.messageType = type
            await metrics.publish(event)
        }
        let exposition = try await scrape(metrics)
        let eu = Fixture.labels(Fixture.acmeEU)
        #expect(exposition.types[prefix + "messages_expired_total"] == "counter")
        #expect(exposition.value(prefix + "messages_expired_total", eu.merging(["type": "text"]) { $1 }) == 2)
        // A type the org has no sender for never becomes a label value.
        #expect(exposition.value(prefix + "messages_expired_total", eu.merging(["type": "(unknown)"]) { $1 }) == 2)
        #expect(exposition.value(prefix + "messages_dead_lettered_total", eu) == 0)
    }

    @Test func backlogGaugesShowEachOrgsWaitingAndTakenMessages() async throws {
        let fixture = try Fixture()
        let registry = try fixture.registry()
        let backlog = Mutex<[OrgKey: OrgBacklog]>([Fixture.acmeUS: OrgBacklog(waiting: 1000, inGateway: 2)])
        let metrics = GatewayMetrics(tenants: { registry }, backlog: { backlog.withLock { $0 } })

        var exposition = try await scrape(metrics)
        let us = Fixture.labels(Fixture.acmeUS), globex = Fixture.labels(Fixture.globex)
        #expect(exposition.value(prefix + "org_queue_waiting", us) == 1000)
        #expect(exposition.value(prefix + "org_queue_in_gateway", us) == 2)
        #expect(exposition.value(prefix + "org_queue_waiting", globex) == 0)

        backlog.withLock { $0 = [Fixture.globex: OrgBacklog(waiting: 7, inGateway: 0)] }
        exposition = try await scrape(metrics)
        #expect(exposition.value(prefix + "org_queue_waiting", us) == 0)
        #expect(exposition.value(prefix + "org_queue_waiting", globex) == 7)
    }

    @Test func statusHistoryGaugesShowWhatTheStatusStoreHoldsAtEachScrape() async throws {
        let fixture = try Fixture()
        let registry = try fixture.registry()
        let clock = ManualClock()
        let store = MessageStatusStore(limits: StatusHistoryLimits(maxAge: .seconds(60)), clock: clock)
        let metrics = GatewayMetrics(tenants: { registry }, statusHistory: store)
        for id in ["m-1", "m-2"] {
            await store.publish(StatusEvent(status: .accepted, messageId: id, tenantId: "acme", org: "us"))
        }

        var exposition = try await scrape(metrics)
        let held = await store.holding()
        #expect(held.bytes > 0)
        #expect(exposition.types[prefix + "status_history_bytes"] == "gauge")
        #expect(exposition.value(prefix + "status_history_messages") == 2)
        #expect(exposition.value(prefix + "status_history_bytes") == Double(held.bytes))
        // Read at the scrape: aged stories are forgotten then, with no event since.
        clock.advance(by: .seconds(60))
        exposition = try await scrape(metrics)
        #expect(exposition.value(prefix + "status_history_messages") == 0)
        #expect(exposition.value(prefix + "status_history_bytes") == 0)
        // Without a store, no such series.
        #expect(try await scrape(GatewayMetrics(tenants: { registry })).value(prefix + "status_history_messages") == nil)
    }

    @Test func namesTheConfigurationDoesNotKnowNeverBecomeLabels() async throws {
        let fixture = try Fixture()
        let registry = try fixture.registry()
        let metrics = GatewayMetrics(tenants: { registry })
        for index in 0..<50 {
            await metrics.publish(StatusEvent(status: .deadLettered, messageId: "m", tenantId: "stranger-\(index)", org: "x"))
        }
        for _ in 0..<5 {
            await metrics.publish(StatusEvent(status: .deadLettered, messageId: "m", tenantId: "acme", org: "nope-\(UUID())"))
        }
        let exposition = try await scrape(metrics)
        let deadLettered = prefix + "messages_dead_lettered_total"
        #expect(exposition.value(deadLettered, ["tenant": "(unknown)", "org": "(unknown)"]) == 50)
        #expect(exposition.value(deadLettered, ["tenant": "acme", "org": "(unknown)"]) == 5)
        let tenants = Set(exposition.samples.compactMap { $0.labels["tenant"] })
        let orgs = Set(exposition.samples.compactMap { $0.labels["org"] })
        #expect(tenants == ["acme", "globex", "(unknown)"])
        #expect(orgs == ["us", "eu", "main", "(unknown)"])
    }

    @Test func operationLabelsStopGrowingAtSixteen() async throws {
        let fixture = try Fixture()
        let registry = try fixture.registry()
        let metrics = GatewayMetrics(tenants: { registry })
        for index in 0..<20 {
            metrics.observe(GenesysCallRecord(org: Fixture.acmeUS, operation: "op-\(index)", status: 200, duration: .milliseconds(1)))
        }
        let exposition = try await scrape(metrics)
        let counts = exposition.samples(prefix + "genesys_request_duration_seconds_count", matching: Fixture.labels(Fixture.acmeUS))
        #expect(counts.count == 17)
        #expect(exposition.value(
            prefix + "genesys_request_duration_seconds_count",
            Fixture.labels(Fixture.acmeUS).merging(["operation": "(other)"]) { $1 }) == 4)
        // Calls other than message sends are timed but not counted as sent.
        #expect(exposition.value(prefix + "messages_sent_total", Fixture.labels(Fixture.acmeUS)) == 0)
    }

    @Test func breakerStateAndTripsFollowTheBreakerWithoutCountingTwice() async throws {
        let fixture = try Fixture()
        let registry = try fixture.registry()
        let metrics = GatewayMetrics(tenants: { registry })
        let breaker = try #require(registry.tenant("globex")?.org(named: "main")?.breaker)
        let globex = Fixture.labels(Fixture.globex)

        await breaker.force(.open)
        var exposition = try await scrape(metrics)
        #expect(exposition.value(prefix + "circuit_breaker_state", globex) == 2)
        #expect(exposition.value(prefix + "circuit_breaker_trips_total", globex) == 1)

        await breaker.force(.halfOpen)
        exposition = try await scrape(metrics)
        #expect(exposition.value(prefix + "circuit_breaker_state", globex) == 1)

        await breaker.force(.closed)
        async let first = scrape(metrics)
        async let second = scrape(metrics)
        _ = try await (first, second)
        exposition = try await scrape(metrics)
        #expect(exposition.value(prefix + "circuit_breaker_state", globex) == 0)
        #expect(exposition.value(prefix + "circuit_breaker_trips_total", globex) == 1)
        #expect(exposition.value(prefix + "circuit_breaker_trips_total", Fixture.labels(Fixture.acmeUS)) == 0)
    }

    @Test func aReloadDropsRemovedOrgsAndKeepsCountersGoingUp() async throws {
        let fixture = try Fixture()
        let registry = try fixture.registry()
        let current = Mutex(registry)
        let metrics = GatewayMetrics(tenants: { current.withLock { $0 } })
        let us = Fixture.labels(Fixture.acmeUS)
        _ = await fixture.deliver("ok", to: Fixture.acmeUS, registry: registry, metrics: metrics)
        var exposition = try await scrape(metrics)
        #expect(exposition.value(prefix + "token_renewals_total", us) == 1)
        #expect(exposition.value(prefix + "messages_sent_total", Fixture.labels(Fixture.globex)) == 0)

        // globex leaves; acme is unchanged and keeps its token stores, whose count is not added again.
        let acme = fixture.configuration.tenants.filter { $0.id == "acme" }
        let changes = registry.apply(acme, keeping: [])
        #expect(changes.removed == ["globex"])
        exposition = try await scrape(metrics)
        #expect(exposition.samples.allSatisfy { $0.labels["tenant"] != "globex" })
        #expect(exposition.value(prefix + "token_renewals_total", us) == 1)

        // New token stores (as when credentials change) count from zero; the exported counter goes on from 1.
        let rebuilt = try fixture.registry(dropping: "globex")
        current.withLock { $0 = rebuilt }
        _ = await fixture.deliver("ok", to: Fixture.acmeUS, registry: rebuilt, metrics: metrics)
        exposition = try await scrape(metrics)
        #expect(exposition.value(prefix + "token_renewals_total", us) == 2)
        #expect(exposition.value(prefix + "messages_sent_total", us) == 2)
        #expect(exposition.value(prefix + "rate_limiter_configured_rate", us) == 200)
    }

    @Test func theSwiftMetricsFactoryWritesIntoTheSameExposition() async throws {
        let fixture = try Fixture()
        let registry = try fixture.registry()
        let metrics = GatewayMetrics(tenants: { registry })
        metrics.factory.makeCounter(label: "http_requests_total", dimensions: [("route", "/health")]).increment(by: 2)
        let exposition = try await scrape(metrics)
        #expect(exposition.value("http_requests_total", ["route": "/health"]) == 2)
        #expect(exposition.help[prefix + "messages_sent_total"]?.isEmpty == false)
    }
}
