import Foundation
import GatewayTestSupport
import GenesysSandbox
import Testing

/// The running gateway's metrics on a real RabbitMQ and the real sandbox: per-org counters move as queued
/// messages are sent or dead-lettered, and the exposition parses.
@Suite(.timeLimit(.minutes(2))) struct MetricsIntegrationTests {
    @Test func perOrgCountersFollowQueuedMessages() async throws {
        let acme = TestOrg(tenant: "acme", name: "us")
        var globex = TestOrg(tenant: "globex", name: "main")
        globex.integrationExists = false  // the sandbox answers 404: dead-lettered
        let missing = globex
        try await PipelineHarness.run("metrics", orgs: [acme, missing]) { pipeline, gateway in
            let sent = "genesys_gateway_messages_sent_total"
            let acmeLabels = ["tenant": "acme", "org": "us"], globexLabels = ["tenant": "globex", "org": "main"]
            let before = try PrometheusExposition(parsing: await gateway.metrics.exposition())
            #expect(before.value(sent, acmeLabels) == 0)

            try await pipeline.publish(
                (0..<5).map { GatewayHarness.textMessage(id: "m\($0)", org: acme, customer: "c\($0)") }
                    + (0..<2).map { GatewayHarness.textMessage(id: "x\($0)", org: missing) })
            var after = before
            let settled = try await pipeline.eventually {
                after = try PrometheusExposition(parsing: await gateway.metrics.exposition())
                return after.value(sent, acmeLabels) == 5 && after.value("genesys_gateway_messages_dead_lettered_total", globexLabels) == 2
            }
            #expect(settled, "\(after.samples.filter { $0.name.contains("messages") })")
            #expect(after.value("genesys_gateway_messages_failed_total", globexLabels) == 2)
            #expect(after.value("genesys_gateway_messages_failed_total", acmeLabels) == 0)
            #expect(after.value("genesys_gateway_messages_sent_total", globexLabels) == 0)
            #expect(after.value("genesys_gateway_token_renewals_total", acmeLabels) == 1)
            #expect(after.value(
                "genesys_gateway_genesys_request_duration_seconds_count", acmeLabels.merging(["operation": "message"]) { $1 }) == 5)
            #expect(after.value("genesys_gateway_circuit_breaker_state", acmeLabels) == 0)
            #expect(after.value("genesys_gateway_rate_limiter_configured_rate", acmeLabels) == 1000)
            // The status store the pipeline feeds is the one the gauges read.
            #expect(after.value("genesys_gateway_status_history_messages") == 7)
            #expect((after.value("genesys_gateway_status_history_bytes") ?? 0) > 0)
        }
    }
}
