import GatewayTestSupport
import Testing
@testable import HTTPAPI

/// What the API answers when an org's protections turn a send away: an open or half-open breaker (503
/// `circuit_open`) and a busy rate limiter (429 `rate_limited`), each with `Retry-After`, and other tenants
/// unaffected. In process (moved from `APIIntegrationTests/refusals` and `/halfOpen`): the breaker and limiter run
/// on the fixture's manual clock, which no test moves, so an open breaker stays open and a slot taken stays taken;
/// where a send must still be out at Genesys, the scripted Genesys holds it at a gate instead of answering late.
@Suite(.timeLimit(.minutes(1))) struct OrgProtectionRoutesTests {
    @Test("an open breaker answers 503 with Retry-After; the other tenant is not affected; closed again, sends go")
    func openBreaker() async throws {
        let fixture = try RouteFixture()
        try await fixture.run { api in
            let admin = RouteFixture.adminKey
            let forced = try await api.call("POST", "/admin/tenants/beta/orgs/main/breaker", key: admin, json: #"{"state":"open"}"#)
            #expect(forced.status == 200)
            let open = try await api.call("POST", "/v1/messages", key: TestOrg.beta.apiKey, json: RouteFixture.text(id: "b-1"))
            #expect(open.status == 503)
            #expect(open.error["code"] as? String == "circuit_open")
            #expect(Int(open.header("Retry-After") ?? "") ?? 0 >= 1)
            // The other tenant is not affected.
            #expect(try await api.call("POST", "/v1/messages", key: TestOrg.alphaOne.apiKey, json: RouteFixture.text(id: "a-1")).status == 200)
            _ = try await api.call("POST", "/admin/tenants/beta/orgs/main/breaker", key: admin, json: #"{"state":"closed"}"#)
            #expect(try await api.call("POST", "/v1/messages", key: TestOrg.beta.apiKey, json: RouteFixture.text(id: "b-2")).status == 200)
        }
        #expect(fixture.genesys.received(integrationID: TestOrg.beta.integrationID).compactMap(\.channelMessageId) == ["b-2"])
    }

    @Test("a busy org answers 429 rate_limited with Retry-After after the bounded wait")
    func busyOrg() async throws {
        let slow = TestOrg(tenant: "slow", name: "main", rate: 1, burst: 1)
        let fixture = try RouteFixture(orgs: TestOrg.standard + [slow], maxLimiterWait: .milliseconds(200))
        try await fixture.run { api in
            #expect(try await api.call("POST", "/v1/messages", key: slow.apiKey, json: RouteFixture.text(id: "s-1")).status == 200)
            let limited = try await api.call("POST", "/v1/messages", key: slow.apiKey, json: RouteFixture.text(id: "s-2"))
            #expect(limited.status == 429)
            #expect(limited.error["code"] as? String == "rate_limited")
            #expect(limited.header("Retry-After") == "1")
        }
        #expect(fixture.genesys.received(integrationID: slow.integrationID).count == 1)
    }

    /// The breaker lets `halfOpenProbes` (3) sends through while half-open. Genesys holds beta's sends until every
    /// one of the twelve is either held there or answered, so the probes are still out when the other nine ask:
    /// those must be turned away, and only as 503.
    @Test("a half-open breaker turning sends away answers 503 circuit_open with Retry-After, never anything else")
    func halfOpen() async throws {
        let fixture = try RouteFixture()
        let gate = fixture.genesys.hold(integrationID: TestOrg.beta.integrationID)
        let answered = Collected<Int>()
        let answers = try await fixture.run { api in
            #expect(try await api.call(
                "POST", "/admin/tenants/beta/orgs/main/breaker", key: RouteFixture.adminKey, json: #"{"state":"half-open"}"#).status == 200)
            return try await withThrowingTaskGroup(of: RouteAnswer?.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        let answer = try await api.call("POST", "/v1/messages", key: TestOrg.beta.apiKey, json: RouteFixture.text(id: "h-\(index)"))
                        answered.append(answer.status)
                        return answer
                    }
                }
                group.addTask {
                    // Gives up when the time limit cancels it, so a send stuck elsewhere fails the test instead of hanging it.
                    while gate.waiting + answered.all.count < 12, !Task.isCancelled { await Task.yield() }
                    gate.open()
                    return nil
                }
                return try await group.reduce(into: [RouteAnswer]()) { answers, answer in answer.map { answers.append($0) } }
            }
        }
        #expect(answers.count == 12)
        let refused = answers.filter { $0.status != 200 }
        // Without this, a breaker that let every send through would pass the check below with nothing to check.
        #expect(!refused.isEmpty, "no send was turned away: \(answers.map(\.status))")
        #expect(refused.allSatisfy { $0.status == 503 && $0.error["code"] as? String == "circuit_open" && $0.header("Retry-After") != nil })
        #expect(answers.count - refused.count == fixture.genesys.received(integrationID: TestOrg.beta.integrationID).count)
    }
}
