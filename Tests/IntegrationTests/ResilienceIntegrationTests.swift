import Foundation
import GatewayTestSupport
import GenesysSandbox
import GatewayCore
import OrgServices
import GatewayDelivery
import Testing

/// Integration: per-org isolation under faults, and rate accuracy, against the real sandbox.
@Suite(.timeLimit(.minutes(2)), .serialized) struct ResilienceIntegrationTests {
    @Test func a5xxStormOpensOnlyThatOrgsBreakerAndProbesCloseItAfterRecovery() async throws {
        let sick = TestOrg(
            tenant: "acme", name: "sick",
            breaker: .init(failureThresholdPercent: 50, windowSeconds: 60, minimumRequests: 10, openSeconds: 2, halfOpenProbes: 3))
        let healthy = TestOrg(tenant: "globex", name: "main", rate: 20, burst: 1)
        let transitions = Collected<(OrgKey, CircuitTransition)>()
        try await GatewayHarness.run(orgs: [sick, healthy], onBreakerTransition: { transitions.append(($0, $1)) }) { gateway in
            try gateway.sandbox.control.setFaults(
                FaultSettings(failureRate: 1, failureStatuses: [503]), for: .integration(sick.integrationID))

            // The healthy org sends at its 20/s for 3 s while the sick one fails.
            async let healthyDelivered = withTaskGroup(of: Bool.self) { group in
                for index in 0..<60 {
                    group.addTask {
                        await gateway.delivery.deliver(DeliveryRequest(bytes: GatewayHarness.textMessage(id: "h\(index)", org: healthy))).isDelivered
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            var sickOutcomes: [DeliveryOutcome] = []
            for index in 0..<15 {
                sickOutcomes.append(await gateway.delivery.deliver(DeliveryRequest(bytes: GatewayHarness.textMessage(id: "s\(index)", org: sick))))
            }
            #expect(await healthyDelivered == 60)
            // The healthy org kept its own 20/s (on the sandbox's arrival times, after its first token fetch)
            // while the other failed. The margin is for arrival jitter when the whole suite runs at once; an org
            // held up by the other's failures would be far slower.
            let arrivals = gateway.sandbox.control.received(integrationId: healthy.integrationID).map(\.receivedAt).sorted().dropFirst(2)
            let span = try #require(arrivals.last).timeIntervalSince(try #require(arrivals.first))
            let healthyRate = Double(arrivals.count - 1) / span
            #expect(abs(healthyRate - 20) / 20 <= 0.2, "healthy org at \(healthyRate)/s")

            let breaker = try #require(gateway.registry.tenant("acme")?.org(named: "sick")).breaker
            #expect(await breaker.snapshot().state == .open)
            // The first 10 calls reached Genesys and failed; then the circuit held the rest back.
            let held = sickOutcomes.filter { if case .notSent(.circuitOpen) = $0 { true } else { false } }
            #expect(held.count == 5)
            #expect(gateway.sandbox.control.stats().statusCounts["503"] == 10)
            #expect(transitions.all.map(\.0) == [sick.key])

            gateway.sandbox.control.clearFaults()
            try await Task.sleep(for: .seconds(2.1))
            for index in 0..<3 {
                let outcome = await gateway.delivery.deliver(DeliveryRequest(bytes: GatewayHarness.textMessage(id: "p\(index)", org: sick)))
                #expect(outcome.isDelivered)
            }
            #expect(await breaker.snapshot().state == .closed)
            #expect(transitions.all.map(\.1.to) == [.open, .halfOpen, .closed])
        }
    }
}
