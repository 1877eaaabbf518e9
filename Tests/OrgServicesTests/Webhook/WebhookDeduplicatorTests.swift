import GatewayTestSupport
import Testing
@testable import GatewayCore
@testable import OrgServices

/// Remembering Genesys message ids per org for a while, on a manual clock.
@Suite struct WebhookDeduplicatorTests {
    let clock = ManualClock()
    let us = OrgKey(tenantID: "acme", orgName: "us")

    func key(_ id: String, _ org: OrgKey? = nil) -> WebhookDeduplicator.Key {
        .init(org: org ?? us, genesysMessageID: id)
    }

    @Test func genesysRetriesWithinTheWindowAreRepeats() {
        let deduplicator = WebhookDeduplicator(clock: clock)
        #expect(deduplicator.claim(key("m1")))
        // Genesys retries 5 times, 5 s apart.
        for _ in 0..<5 {
            clock.advance(by: .seconds(5))
            #expect(!deduplicator.claim(key("m1")))
        }
        #expect(deduplicator.claim(key("m2")))
    }

    @Test func theSameIdInAnotherOrgIsAnotherMessage() {
        let deduplicator = WebhookDeduplicator(clock: clock)
        #expect(deduplicator.claim(key("m1")))
        #expect(deduplicator.claim(key("m1", OrgKey(tenantID: "acme", orgName: "eu"))))
        #expect(deduplicator.claim(key("m1", OrgKey(tenantID: "globex", orgName: "us"))))
    }

    @Test func entriesExpireAfterTheirTimeToLive() {
        let deduplicator = WebhookDeduplicator(clock: clock, timeToLive: .seconds(600))
        #expect(deduplicator.claim(key("old")))
        clock.advance(by: .seconds(300))
        #expect(deduplicator.claim(key("newer")))
        clock.advance(by: .seconds(299))
        #expect(!deduplicator.claim(key("old")))
        clock.advance(by: .seconds(1))
        #expect(deduplicator.claim(key("old")), "10 minutes after it was first seen")
        #expect(!deduplicator.claim(key("newer")))
        #expect(deduplicator.count == 2)
    }

    @Test func memoryIsBoundedByDroppingTheOldest() {
        let deduplicator = WebhookDeduplicator(clock: clock, capacity: 3)
        for id in ["a", "b", "c", "d"] { #expect(deduplicator.claim(key(id))) }
        #expect(deduplicator.count == 3)
        #expect(!deduplicator.claim(key("d")))
        #expect(!deduplicator.claim(key("b")))
        #expect(deduplicator.claim(key("a")), "the oldest was forgotten to make room")
    }

    @Test func manyDistinctIdsStayWithinCapacity() {
        let deduplicator = WebhookDeduplicator(clock: clock, timeToLive: .seconds(10), capacity: 500)
        var firstClaims = 0
        for index in 0..<5_000 {
            if deduplicator.claim(key("m\(index)")) { firstClaims += 1 }
            if index % 100 == 0 { clock.advance(by: .seconds(1)) }
        }
        #expect(firstClaims == 5_000)
        #expect(deduplicator.count <= 500)
        #expect(!deduplicator.claim(key("m4999")))
    }
}
