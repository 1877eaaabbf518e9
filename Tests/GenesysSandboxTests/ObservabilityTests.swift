//
// ObservabilityTests.swift — GenesysSandboxTests
// What tests and benchmarks assert on: arrival order, exactly-once, counters, per-org rates.
//

import Foundation
import Testing

@testable import GenesysSandbox

@Suite("Observability")
struct ObservabilityTests {
    @Test func receivedMessagesKeepArrivalOrderPerCustomer() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            var acceptedIds: [String] = []
            for index in 0..<6 {
                let customer = index % 2 == 0 ? "even" : "odd"
                let body = Fixtures.message(customer: customer, messageId: "m\(index)", text: "n\(index)")
                let response = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: body)
                acceptedIds.append(try #require(response.json["id"]?.stringValue))
            }
            let listed = try await api.send(.GET, "/sandbox/received/\(Fixtures.acmeIntegration)")
            #expect(listed.json["count"] == 6)
            let messages = listed.json["messages"]?.arrayValue ?? []
            #expect(messages.compactMap { $0["id"]?.stringValue } == acceptedIds)
            let even = messages.filter { $0["customerId"] == "even" }.compactMap { $0["channelMessageId"]?.stringValue }
            #expect(even == ["m0", "m2", "m4"])
            #expect(messages.allSatisfy { DateTimeFormat.isValid($0["receivedAt"]?.stringValue ?? "") })
            let sequences = messages.compactMap { $0["sequence"]?.intValue }
            #expect(sequences == sequences.sorted())
        }
    }

    @Test func concurrentMessagesArriveExactlyOnce() async throws {
        try await Fixtures.withSandbox(Fixtures.configuration(acmeRate: 10_000)) { api in
            let token = try await api.token()
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let body = Fixtures.message(customer: "c\(index % 10)", messageId: "q\(index)")
                        return try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: body).status
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
            let ids = api.control.received(integrationId: Fixtures.acmeIntegration).compactMap(\.channelMessageId)
            #expect(ids.count == 200)
            #expect(Set(ids) == Set((0..<200).map { "q\($0)" }))
            #expect(api.control.stats().orgs[Fixtures.acmeOrg]?.total == 200)
        }
    }

    @Test func recordsBeyondTheCapacityDropTheOldest() async throws {
        var configuration = Fixtures.configuration()
        configuration.maxRecordedMessages = 10
        try await Fixtures.withSandbox(configuration) { api in
            let token = try await api.token()
            for index in 0..<11 {
                let body = Fixtures.message(messageId: "m\(index)")
                #expect(try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: body).status == 200)
            }
            let listed = try await api.send(.GET, "/sandbox/received?integrationId=\(Fixtures.acmeIntegration)")
            #expect(listed.json["count"] == 9)
            #expect(listed.json["dropped"] == 2)
            #expect(listed.json["messages"]?.arrayValue?.first?["channelMessageId"] == "m2")
        }
    }

    @Test func statsCountStatusesAndRatesPerClientAndOrg() async throws {
        let clock = ManualClock()
        try await Fixtures.withSandbox(clock: clock) { api in
            let token = try await api.token()
            for _ in 0..<3 {
                _ = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message())
            }
            clock.advance(by: 1)
            _ = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message(text: nil))
            _ = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: nil, json: Fixtures.message())
            let stats = try await api.send(.GET, "/sandbox/stats")
            #expect(stats.json["statusCounts"]?["400"] == 1)
            #expect(stats.json["statusCounts"]?["401"] == 1)
            #expect((stats.json["statusCounts"]?["200"]?.intValue ?? 0) >= 4)
            #expect(stats.json["clients"]?[Fixtures.acmeClient]?["total"] == 4)
            #expect(stats.json["clients"]?[Fixtures.acmeClient]?["peakPerSecond"] == 3)
            #expect(stats.json["orgs"]?[Fixtures.acmeOrg]?["lastMinute"] == 4)
            let reset = try await api.send(.POST, "/sandbox/reset")
            #expect(reset.status == 204)
            #expect(api.control.received().isEmpty)
            #expect(api.control.stats().clients.isEmpty)
        }
    }
}
