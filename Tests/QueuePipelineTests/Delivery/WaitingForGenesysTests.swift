import Foundation
import GatewayCore
import GatewayConfig
import OrgServices
import GatewayDelivery
import GatewayTestSupport
import Logging
import Synchronization
import Testing

/// Issue 11, item 6: a resend after a refused token goes through the org's limiter (and breaker) again, and
/// waiting for Genesys' permission (a 429, the login host down) uses up no attempt.
@Suite struct WaitingForGenesysTests {
    /// One org (1 msg/s, burst 1, one attempt) in front of a scripted Genesys: the message endpoint answers
    /// with `answers` in turn (200 once they run out), the login host with `loginStatus`; receipts go to `sent`.
    struct Fixture {
        let clock = ManualClock()
        let http: ScriptedHTTPClient
        let delivery: DeliveryService
        let registry: TenantRegistry
        private let tenant: ScriptedTenant

        static let org = ScriptedTenant.org

        init(answers: [Int], loginStatus: Int = 200, sent: any IdempotencyStore = SentMessageLog()) throws {
            let remaining = Mutex(answers)
            let tokens = Atomic(0)
            http = ScriptedHTTPClient { request in
                if request.url.hasSuffix("/oauth/token") {
                    guard loginStatus == 200 else { return HTTPResponse(status: loginStatus, body: Array(#"{"error":"unavailable"}"#.utf8)) }
                    let number = tokens.add(1, ordering: .relaxed).newValue
                    return HTTPResponse(status: 200, body: Array(#"{"access_token":"t\#(number)","token_type":"bearer","expires_in":86400}"#.utf8))
                }
                let status = remaining.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
                let body = status == 200 ? #"{"id":"g-1","conversationId":"c-1"}"# : #"{"code":"status.\#(status)"}"#
                return HTTPResponse(status: status, body: Array(body.utf8))
            }
            var logger = Logger(label: "waiting-test")
            logger.logLevel = .critical
            tenant = try ScriptedTenant(
                http: http, clock: clock, rate: 1, burst: 1, retry: .init(maxAttempts: 1, maxRetryDurationSeconds: 600), logger: logger)
            registry = tenant.registry
            delivery = DeliveryService(registry: registry, http: http, clock: clock, logger: logger, sent: sent)
        }

        static let message = Array(#"{"id":"m-1","tenantId":"acme","org":"main","type":"text","textBody":"hi","sender":{"id":"+15550001","idType":"Phone"},"createdAt":"2026-11-30T10:00:00Z"}"#.utf8)

        func deliver() async -> DeliveryOutcome {
            await delivery.deliver(DeliveryRequest(bytes: Self.message, firstAttemptAt: clock.now()))
        }

        var messageRequests: Int { http.requests.filter { !$0.url.hasSuffix("/oauth/token") }.count }

        /// Lets other tasks run until `condition` holds, for at most 60 s of real time. The limiter runs on the
        /// manual clock, so this waits only for the tasks to be scheduled — on a loaded machine 10,000 yields
        /// were seen to pass before the first send had even started, and 10 s once passed in a parallel unit lane.
        func settle(until condition: () async -> Bool) async -> Bool {
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                if await condition() { return true }
                await Task.yield()
                try? await Task.sleep(for: .milliseconds(1))
            }
            return await condition()
        }
    }

    @Test func theResendAfterARefusedTokenWaitsForTheNextRateLimitSlot() async throws {
        let fixture = try Fixture(answers: [401])
        let delivery = fixture.delivery
        let request = DeliveryRequest(bytes: Fixture.message, firstAttemptAt: fixture.clock.now())
        let delivering = Task { await delivery.deliver(request) }
        // First send: 401; the token is renewed; the resend must now wait one second for the org's next slot.
        let waiting = await fixture.settle {
            await fixture.registry.tenant("acme")?.org(named: "main")?.limiter.snapshot().queued == 1
        }
        #expect(waiting, "the resend did not wait for the limiter")
        #expect(fixture.messageRequests == 1)
        fixture.clock.advance(by: .seconds(1))
        let outcome = await delivering.value
        guard case .delivered = outcome else {
            Issue.record("expected delivered, got \(outcome)")
            return
        }
        #expect(fixture.messageRequests == 2)
        #expect(fixture.http.requests.filter { $0.url.hasSuffix("/oauth/token") }.count == 2)
    }

    @Test func a429UsesUpNoAttempt() async throws {
        let fixture = try Fixture(answers: [429])
        let outcome = await fixture.deliver()
        guard case .throttled(_, _, let error) = outcome else {
            Issue.record("a 429 with one attempt allowed gave \(outcome)")
            return
        }
        #expect(error?.status == 429)
    }

    @Test func aLoginHostOutageUsesUpNoAttempt() async throws {
        let fixture = try Fixture(answers: [], loginStatus: 503)
        let outcome = await fixture.deliver()
        guard case .throttled(let after, _, _) = outcome else {
            Issue.record("the login host answering 503 gave \(outcome)")
            return
        }
        #expect(after > .zero)
        #expect(fixture.messageRequests == 0)
    }

    @Test func aServerErrorStillUsesUpItsAttempt() async throws {
        let fixture = try Fixture(answers: [503])
        let outcome = await fixture.deliver()
        guard case .deadLetter(let reason, _) = outcome else {
            Issue.record("a 503 with one attempt allowed gave \(outcome)")
            return
        }
        #expect(reason.contains("gave up after 1 attempts"))
    }

    @Test func throttledMessagesStopAtTheRetryDuration() async throws {
        let fixture = try Fixture(answers: [429])
        fixture.clock.advance(by: .seconds(601))
        let outcome = await fixture.delivery.deliver(DeliveryRequest(bytes: Fixture.message, firstAttemptAt: .zero))
        guard case .deadLetter(let reason, _) = outcome else {
            Issue.record("expected dead-letter after the retry duration, got \(outcome)")
            return
        }
        #expect(reason.contains("600 s"))
    }
}
