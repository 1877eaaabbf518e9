import Foundation
import GatewayTestSupport
@testable import GatewayHost
import Testing

/// Messages waiting for their org's rate-limit slot wait in the dispatcher's org line, not each in the
/// limiter as a suspended task (issue 13: those tasks' frames were most of the gateway's memory at 100
/// tenants). Real RabbitMQ and sandbox; the limiter's own queue and the metric are read while the org's
/// prefetch window is full.
///
/// Run: `bash scripts/with-rabbitmq.sh swift test --skip-build --no-parallel --filter IntegrationTests.SlotLineIntegrationTests`
@Suite(.serialized, .timeLimit(.minutes(2))) struct SlotLineIntegrationTests {
    /// 100 conversations of one message each at 20 msg/s: every prefetched message is a lane head that may go
    /// as soon as its slot comes. At most the pacer waits in the limiter; the rest are reported waiting all
    /// the same (`rate_limiter_queued`), and the org keeps its rate.
    @Test func waitingMessagesQueueInTheOrgsLineAndTheRateHolds() async throws {
        let org = TestOrg(tenant: "acme", name: "paced", rate: 20, burst: 1)
        try await PipelineHarness.run("slot-line", orgs: [org]) { pipeline, gateway in
            let limiter = try #require(gateway.registry.tenant(org.tenant)?.org(named: org.name)?.limiter)
            try await pipeline.publish((0..<100).map { index in
                GatewayHarness.textMessage(id: "m-\(index)", org: org, customer: "c-\(index)")
            })
            var mostInLimiter = 0
            var mostReported = 0
            let watchUntil = ContinuousClock.now + .seconds(3)
            while ContinuousClock.now < watchUntil {
                mostInLimiter = max(mostInLimiter, await limiter.snapshot().queued)
                let metrics = try PrometheusExposition(parsing: await gateway.metrics.exposition())
                let reported = metrics.value("genesys_gateway_rate_limiter_queued", ["tenant": org.tenant, "org": org.name]) ?? 0
                mostReported = max(mostReported, Int(exactly: reported) ?? 0)
                try await Task.sleep(for: .milliseconds(20))
            }
            let sandbox = pipeline.sandbox.control
            let allSent = await pipeline.eventually(timeout: .seconds(15)) {
                sandbox.received(integrationId: org.integrationID).count >= 100
            }
            let received = sandbox.received(integrationId: org.integrationID)
            let rate = Isolation.rate(Array(received.map(\.receivedAt).sorted().dropFirst(2)))
            Isolation.figure("slot-line", "most in the limiter \(mostInLimiter), most reported waiting \(mostReported); rate \(Isolation.describe(rate, target: 20))")

            #expect(mostInLimiter <= 1, "\(mostInLimiter) sends waited in the limiter itself: waiting messages are suspended tasks again")
            #expect(mostReported >= 5, "the org's full prefetch window waited, but the metric showed at most \(mostReported)")
            #expect(allSent && Set(received.compactMap(\.channelMessageId)).count == 100, "\(received.count) received")
            #expect((Isolation.deviation(rate, from: 20) ?? 1) <= 0.03, "rate \(Isolation.describe(rate, target: 20))")
        }
    }
}
