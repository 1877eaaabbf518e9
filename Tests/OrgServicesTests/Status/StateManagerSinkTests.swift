import Foundation
import GatewayTestSupport
import Logging
import Testing
@testable import GatewayCore
@testable import OrgServices

/// The state-manager reporter with a scripted HTTP client.
@Suite(.timeLimit(.minutes(1))) struct StateManagerSinkTests {
    static func event(_ id: String?) -> StatusEvent {
        var event = StatusEvent(status: .sent, messageId: id, tenantId: "acme", org: "us")
        event.genesysMessageId = "g-1"
        return event
    }

    @Test func putsEachStatusAsJSONUnderTheMessageId() async throws {
        let http = ScriptedHTTPClient { _ in HTTPResponse(status: 204) }
        let sink = StateManagerSink(baseURL: "http://state.test/api/", http: http, retryDelay: .milliseconds(1), logger: Logger(label: "test"))
        let event = Self.event("m 1/x")
        await sink.report(event)
        let request = try #require(http.requests.first)
        #expect(request.method == "PUT")
        #expect(request.url == "http://state.test/api/messages/m%201%2Fx/status")
        let body = try JSONDecoder().decode(StatusEvent.self, from: Data(request.body))
        #expect(body == event)
    }

    @Test func retriesServerErrorsThenGivesUp() async {
        let http = ScriptedHTTPClient { _ in HTTPResponse(status: 503) }
        let sink = StateManagerSink(baseURL: "http://state.test", http: http, attempts: 3, retryDelay: .milliseconds(1), logger: Logger(label: "test"))
        await sink.report(Self.event("m"))
        #expect(http.requests.count == 3)
    }

    @Test func doesNotRetryARefusal() async {
        let http = ScriptedHTTPClient { _ in HTTPResponse(status: 400) }
        let sink = StateManagerSink(baseURL: "http://state.test", http: http, retryDelay: .milliseconds(1), logger: Logger(label: "test"))
        await sink.report(Self.event("m"))
        #expect(http.requests.count == 1)
    }

    @Test func publishingNeverWaitsForAStuckStateManager() async throws {
        let gate = Gate()
        let http = ScriptedHTTPClient { _ in
            await gate.wait()
            return HTTPResponse(status: 200)
        }
        let sink = StateManagerSink(baseURL: "http://state.test", http: http, logger: Logger(label: "test"))
        let worker = Task { try await sink.run() }
        let started = ContinuousClock.now
        for index in 0..<1000 { await sink.publish(Self.event("m\(index)")) }
        await sink.publish(Self.event(nil))  // circuit alerts have no message id: not reported here
        #expect(ContinuousClock.now - started < .seconds(1))
        while gate.waiting == 0 { await Task.yield() }
        gate.open()
        sink.finish()
        try await worker.value
        #expect(http.requests.count == 1000)
    }
}
