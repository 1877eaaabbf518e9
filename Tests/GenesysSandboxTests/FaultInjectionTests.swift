//
// FaultInjectionTests.swift — GenesysSandboxTests
// Faults set through the admin endpoint, flags and in-process: 5xx, outages, 429 bursts, latency,
// slow responses, connection resets, and their scoping to a client or an integration.
//

import AsyncHTTPClient
import Foundation
import Testing

@testable import GenesysSandbox

@Suite("Fault injection")
struct FaultInjectionTests {
    static func putFaults(_ api: TestAPI, _ target: String, _ settings: JSONValue) async throws {
        let response = try await api.send(.PUT, "/sandbox/faults/\(target)", body: settings.jsonString)
        #expect(response.status == 200)
    }

    @Test(arguments: [500, 502, 503])
    func injectedFailuresUseGenesysErrorBodies(_ status: Int) async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            try await Self.putFaults(api, "clients/\(Fixtures.acmeClient)", ["failureRate": 1, "failureStatuses": [.int(status)]])
            let response = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message())
            #expect(response.status == status)
            #expect(response.json["status"] == .int(status))
            #expect(response.json["code"] == .string(status == 503 ? "service.unavailable" : status == 500 ? "internal.server.error" : "bad.gateway"))
            #expect(api.control.received().isEmpty)
            _ = try await api.send(.DELETE, "/sandbox/faults/clients/\(Fixtures.acmeClient)")
            #expect(try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message()).status == 200)
        }
    }

    @Test func outageIs503ForItsDurationOnTheTestClock() async throws {
        let clock = ManualClock()
        try await Fixtures.withSandbox(clock: clock) { api in
            let token = try await api.token()
            try await Self.putFaults(api, "integrations/\(Fixtures.acmeIntegration)", ["outageSeconds": 30])
            let during = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message())
            #expect(during.status == 503)
            #expect(during.header("Retry-After") == "30")
            let otherIntegration = try await api.post(api.inboundPath(Fixtures.acmeSecondIntegration), token: token, json: Fixtures.message())
            #expect(otherIntegration.status == 200)
            clock.advance(by: 30)
            #expect(try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message()).status == 200)
        }
    }

    @Test func forced429BurstCarriesTheGivenRetryAfter() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            try await Self.putFaults(api, "clients/\(Fixtures.acmeClient)", ["burst429Count": 2, "burst429RetryAfterSeconds": 7])
            var statuses: [Int] = []
            for _ in 0..<3 {
                let response = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message())
                statuses.append(response.status)
                if response.status == 429 {
                    #expect(response.header("Retry-After") == "7")
                    #expect(response.json["code"] == "too.many.requests.retry.after")
                }
            }
            #expect(statuses == [429, 429, 200])
        }
    }

    @Test func latencyIsAdded() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            try api.control.setFaults(FaultSettings(latencyMs: 300, jitterMs: 50), for: .client(Fixtures.acmeClient))
            let start = ContinuousClock.now
            let response = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message())
            let elapsed = ContinuousClock.now - start
            #expect(response.status == 200)
            #expect(elapsed >= .milliseconds(300))
        }
    }

    @Test func slowResponseGoesBeyondTheClientTimeout() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            try api.control.setFaults(FaultSettings(slowResponseMs: 1500), for: .integration(Fixtures.acmeIntegration))
            await #expect(throws: HTTPClientError.self) {
                _ = try await api.send(
                    .POST, api.inboundPath(Fixtures.acmeIntegration), token: token, body: Fixtures.message().jsonString,
                    timeout: .milliseconds(300))
            }
        }
    }

    @Test func connectionResetSendsNoResponse() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            try api.control.setFaults(FaultSettings(resetRate: 1), for: .client(Fixtures.acmeClient))
            await #expect(throws: (any Error).self) {
                _ = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message())
            }
            #expect(api.control.stats().statusCounts["reset"] == 1)
            api.control.clearFaults()
            #expect(try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message()).status == 200)
        }
    }

    @Test func faultsFromTheConfigurationApplyFromTheStart() async throws {
        var configuration = Fixtures.configuration()
        configuration.faults = [try FaultRule(flagValue: "client:\(Fixtures.otherClient):failureRate=1,failureStatuses=500")]
        try await Fixtures.withSandbox(configuration) { api in
            let response = try await api.tokenResponse(clientId: Fixtures.otherClient, secret: Fixtures.otherSecret)
            #expect(response.status == 500)
            #expect(try await api.tokenResponse(clientId: Fixtures.acmeClient, secret: Fixtures.acmeSecret).status == 200)
            let listed = try await api.send(.GET, "/sandbox/faults")
            #expect(listed.json["faults"]?.arrayValue?.first?["target"] == .string("client:\(Fixtures.otherClient)"))
        }
    }

    @Test func injectedAnswersAreCountedPerTargetAndKind() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let acme = FaultTarget.client(Fixtures.acmeClient)
            _ = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message())
            #expect(api.control.stats().injected.isEmpty)  // no fault, nothing injected

            try await Self.putFaults(api, "clients/\(Fixtures.acmeClient)", ["outageSeconds": 60])
            for _ in 0..<3 { _ = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message()) }
            try await Self.putFaults(api, "clients/\(Fixtures.acmeClient)", ["burst429Count": 2])
            for _ in 0..<3 { _ = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message()) }
            try await Self.putFaults(api, "clients/\(Fixtures.acmeClient)", ["failureRate": 1, "failureStatuses": [502]])
            _ = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message())
            try await Self.putFaults(api, "integrations/\(Fixtures.acmeIntegration)", ["failingCustomers": ["+1555"], "failureStatuses": [504]])
            api.control.clearFaults(for: acme)
            let failing = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message(customer: "+1555"))
            #expect(failing.status == 504)

            let stats = api.control.stats()
            #expect(stats.injected(.outage, for: acme) == 3)
            #expect(stats.injected(.throttled, for: acme) == 2)  // the third call of the burst went through
            #expect(stats.injected(.failure(status: 502), for: acme) == 1)
            #expect(stats.injected(.failingCustomer(status: 504), for: .integration(Fixtures.acmeIntegration)) == 1)
            #expect(stats.injected(.outage, for: .client(Fixtures.otherClient)) == 0)
            // Clearing the faults keeps the counts; a reset forgets them.
            api.control.clearFaults()
            let listed = try await api.send(.GET, "/sandbox/stats")
            #expect(listed.json["injected"]?["client:\(Fixtures.acmeClient)"]?["503-outage"] == 3)
            #expect(listed.json["injected"]?["client:\(Fixtures.acmeClient)"]?["429-burst"] == 2)
            #expect(listed.json["injected"]?["integration:\(Fixtures.acmeIntegration)"]?["504-failing-customer"] == 1)
            _ = try await api.send(.POST, "/sandbox/reset")
            #expect(api.control.stats().injected.isEmpty)
        }
    }

    @Test func invalidFaultSettingsAreRejected() async throws {
        try await Fixtures.withSandbox { api in
            let response = try await api.send(.PUT, "/sandbox/faults/clients/x", body: #"{"failureRate": 3}"#)
            #expect(response.status == 400)
            #expect(response.json["code"] == "bad.request")
        }
    }
}
