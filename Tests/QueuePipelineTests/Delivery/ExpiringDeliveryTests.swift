import Foundation
import GatewayDelivery
import Testing

/// The delivery core never sends a message past its `expiresAt`: an expired one is not even built, and one
/// whose rate-limit slot would come after its expiry does not wait for it (manual clock: nothing sleeps).
@Suite struct ExpiringDeliveryTests {
    typealias Fixture = WaitingForGenesysTests.Fixture

    func request(_ fixture: Fixture, expiresIn lifetime: Duration?) -> DeliveryRequest {
        var request = DeliveryRequest(bytes: Fixture.message, firstAttemptAt: fixture.clock.now())
        request.expiresAt = lifetime.map { fixture.clock.now() + $0 }
        return request
    }

    @Test func anExpiredMessageIsNotSent() async throws {
        let fixture = try Fixture(answers: [])
        let outcome = await fixture.delivery.deliver(request(fixture, expiresIn: .zero))
        #expect(outcome == .expired)
        #expect(fixture.http.requests.isEmpty)
    }

    @Test func aMessageWhoseSlotComesAfterItsExpiryDoesNotWaitForIt() async throws {
        let fixture = try Fixture(answers: [])  // 1 message/s, burst 1
        guard case .delivered = await fixture.delivery.deliver(request(fixture, expiresIn: nil)) else {
            Issue.record("the first message was not delivered")
            return
        }
        // The org's next slot is 1 s away: a message with half a second to live expires now, without a send.
        let outcome = await fixture.delivery.deliver(request(fixture, expiresIn: .milliseconds(500)))
        #expect(outcome == .expired)
        #expect(fixture.messageRequests == 1)
        let queued = await fixture.registry.tenant("acme")?.org(named: "main")?.limiter.snapshot().queued
        #expect(queued == 0)
    }

    @Test func aMessageThatLivesPastItsSlotWaitsAndIsSent() async throws {
        let fixture = try Fixture(answers: [])
        _ = await fixture.delivery.deliver(request(fixture, expiresIn: nil))
        let delivery = fixture.delivery
        let waiting = request(fixture, expiresIn: .seconds(2))
        let delivering = Task { await delivery.deliver(waiting) }
        let queued = await fixture.settle {
            await fixture.registry.tenant("acme")?.org(named: "main")?.limiter.snapshot().queued == 1
        }
        #expect(queued, "the message did not wait for its slot")
        fixture.clock.advance(by: .seconds(1))
        guard case .delivered = await delivering.value else {
            Issue.record("a message with 2 s to live was not sent in the slot 1 s away")
            return
        }
        #expect(fixture.messageRequests == 2)
    }
}
