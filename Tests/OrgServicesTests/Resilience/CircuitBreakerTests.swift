import GatewayTestSupport
import Testing
@testable import GatewayConfig
@testable import OrgServices

/// Breaker math on a manual clock.
@Suite struct CircuitBreakerTests {
    let clock = ManualClock()
    let transitions = Collected<CircuitTransition>()

    func breaker(
        threshold: Double = 50, window: Int = 60, minimum: Int = 20, open: Int = 30, maxOpen: Int = 300, probes: Int = 3
    ) -> CircuitBreaker {
        let transitions = self.transitions
        return CircuitBreaker(
            settings: CircuitBreakerSettings(
                failureThresholdPercent: threshold, windowSeconds: window, minimumRequests: minimum,
                openSeconds: open, maxOpenSeconds: maxOpen, halfOpenProbes: probes),
            clock: clock, onTransition: { transitions.append($0) })
    }

    func record(_ breaker: CircuitBreaker, successes: Int, failures: Int) async {
        for _ in 0..<successes { await breaker.record(.success, probe: false) }
        for _ in 0..<failures { await breaker.record(.failure, probe: false) }
    }

    @Test func staysClosedBelowTheMinimumNumberOfCalls() async {
        let breaker = breaker()
        await record(breaker, successes: 0, failures: 19)
        #expect(await breaker.snapshot().state == .closed)
        #expect(await breaker.permission() == .allowed(probe: false))
    }

    @Test func opensAtTheThresholdOnceEnoughCallsWereMade() async {
        let breaker = breaker()
        await record(breaker, successes: 10, failures: 9)
        #expect(await breaker.snapshot().state == .closed)  // 9 of 19: under the minimum
        await record(breaker, successes: 0, failures: 1)  // 10 of 20 = 50 %
        #expect(await breaker.snapshot().state == .open)
        #expect(transitions.all == [
            CircuitTransition(from: .closed, to: .open, reason: "10 of 20 calls failed (50%) in 60 s", openFor: .seconds(30))
        ])
        #expect(await breaker.permission() == .rejected(retryAfter: .seconds(30)))
    }

    @Test func doesNotOpenBelowTheThreshold() async {
        let breaker = breaker()
        await record(breaker, successes: 51, failures: 49)
        #expect(await breaker.snapshot().state == .closed)
    }

    @Test func ignoredOutcomesDoNotCount() async {
        let breaker = breaker(minimum: 2)
        for _ in 0..<10 { await breaker.record(.ignored, probe: false) }
        await record(breaker, successes: 1, failures: 0)
        #expect(await breaker.snapshot().calls == 1)
        #expect(await breaker.snapshot().state == .closed)
    }

    @Test func failuresOutsideTheWindowAreForgotten() async {
        let breaker = breaker(window: 10, minimum: 10)
        await record(breaker, successes: 0, failures: 9)
        clock.advance(by: .seconds(10))
        await record(breaker, successes: 5, failures: 1)
        let snapshot = await breaker.snapshot()
        #expect(snapshot.calls == 6)
        #expect(snapshot.failures == 1)
        #expect(snapshot.state == .closed)
    }

    @Test func halfOpensAfterTheOpenPeriodAndClosesWhenAllProbesSucceed() async {
        let breaker = breaker(minimum: 2, probes: 3)
        await record(breaker, successes: 0, failures: 2)
        clock.advance(by: .seconds(29))
        #expect(await breaker.permission() == .rejected(retryAfter: .seconds(1)))
        clock.advance(by: .seconds(1))
        for _ in 0..<3 { #expect(await breaker.permission() == .allowed(probe: true)) }
        #expect(await breaker.permission() == .rejected(retryAfter: .seconds(1)))  // probes are out
        for _ in 0..<3 { await breaker.record(.success, probe: true) }
        #expect(await breaker.snapshot().state == .closed)
        #expect(transitions.all.map(\.to) == [.open, .halfOpen, .closed])
        #expect(await breaker.snapshot().calls == 0)  // a closed circuit starts a fresh window
    }

    @Test func aFailedProbeReopensForLongerUpToTheCap() async {
        let breaker = breaker(minimum: 1, open: 30, maxOpen: 100, probes: 1)
        await record(breaker, successes: 0, failures: 1)
        var expectedOpen: [Duration] = [.seconds(30)]
        for expected in [60, 100, 100] {
            clock.advance(by: expectedOpen.last!)
            #expect(await breaker.permission() == .allowed(probe: true))
            await breaker.record(.failure, probe: true)
            #expect(await breaker.permission() == .rejected(retryAfter: .seconds(expected)))
            expectedOpen.append(.seconds(expected))
        }
        #expect(await breaker.snapshot().trips == 4)
    }

    @Test func resultsOfCallsStartedBeforeTheCircuitOpenedAreIgnored() async {
        let breaker = breaker(minimum: 1, probes: 1)
        await record(breaker, successes: 0, failures: 1)
        await breaker.record(.success, probe: false)  // a slow call that began while closed
        #expect(await breaker.snapshot().state == .open)
    }

    @Test func operatorsCanForceItOpenAndClosed() async {
        let breaker = breaker()
        await breaker.force(.open)
        #expect(await breaker.permission() == .rejected(retryAfter: .seconds(30)))
        await breaker.force(.closed)
        #expect(await breaker.permission() == .allowed(probe: false))
    }
}
