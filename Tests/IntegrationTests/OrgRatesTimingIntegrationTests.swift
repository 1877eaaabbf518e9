import Foundation
import GatewayTestSupport
import GenesysSandbox
import GatewayCore
import OrgServices
import GatewayDelivery
import Testing

/// Timing (quiet machine, `scripts/test.sh --full`): two orgs against the real sandbox each hold their own rate within 5 %.
@Suite(.timeLimit(.minutes(2)), .serialized) struct OrgRatesTimingIntegrationTests {
    @Test func twoOrgsHoldTheirOwnRatesWithinFivePercent() async throws {
        let fast = TestOrg(tenant: "acme", name: "fast", rate: 20, burst: 1)
        let slow = TestOrg(tenant: "globex", name: "slow", rate: 5, burst: 1)
        try await GatewayHarness.run(orgs: [fast, slow]) { gateway in
            // Enough messages for 10 s at each rate, all queued at once: the limiters pace them.
            await withTaskGroup(of: Void.self) { group in
                for (org, count) in [(fast, 201), (slow, 51)] {
                    for index in 0..<count {
                        group.addTask {
                            _ = await gateway.deliverUntilSettled(GatewayHarness.textMessage(id: "\(org.name)-\(index)", org: org))
                        }
                    }
                }
            }
            for (org, rate) in [(fast, 20.0), (slow, 5.0)] {
                let arrivals = gateway.sandbox.control.received(integrationId: org.integrationID).map(\.receivedAt)
                let span = try #require(arrivals.max()).timeIntervalSince(try #require(arrivals.min()))
                let measured = Double(arrivals.count - 1) / span
                #expect(abs(measured - rate) / rate <= 0.05, "org \(org.name): \(measured)/s against \(rate)/s")
                // No second held much more than the rate (no burst is allowed; arrival times jitter a little
                // behind the limiter, e.g. while the first token is fetched).
                let perSecond = Dictionary(grouping: arrivals) { Int($0.timeIntervalSince(arrivals.min()!)) }.mapValues(\.count)
                #expect(perSecond.values.allSatisfy { Double($0) <= rate * 1.25 + 1 }, "\(perSecond)")
            }
        }
    }
}
