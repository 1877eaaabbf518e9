import Foundation
import GatewayTestSupport
@testable import OrgServices
import PluginKit
import Testing

/// A message waiting for its org's rate-limit slot waits before its delivery starts, not inside it (issue 13:
/// the suspended deliveries' frames were most of the gateway's memory at 100 tenants). Real RabbitMQ and
/// sandbox. Seen from outside: a delivery announces `accepted` as it starts, so the gap from a message's
/// `accepted` to its `sent` is its delivery alone once the slot comes first, and its whole wait for the slot
/// when it waits inside.
///
/// Run: `bash scripts/with-rabbitmq.sh swift test --skip-build --no-parallel --filter IntegrationTests.SlotLineTimingIntegrationTests`
@Suite(.serialized, .timeLimit(.minutes(2))) struct SlotLineTimingIntegrationTests {
    /// 100 conversations of one message each at 20 msg/s (burst 1): every prefetched message (10) is a lane head
    /// that may go as soon as its slot comes, so a message waits about 0.5 s for its slot. Its delivery must
    /// start only then: the median `accepted` → `sent` gap stays far below that wait. The org keeps its rate.
    @Test func aMessageStartsOnlyOnceItsSlotCameAndTheRateHolds() async throws {
        let org = TestOrg(tenant: "acme", name: "paced", rate: 20, burst: 1)
        try await PipelineHarness.run("slot-line", orgs: [org]) { pipeline, _ in
            try await pipeline.publish((0..<100).map { index in
                GatewayHarness.textMessage(id: "m-\(index)", org: org, customer: "c-\(index)")
            })
            var events: [StatusEvent] = []
            _ = try await pipeline.eventually(timeout: .seconds(20)) {
                events += try pipeline.probe.statusEvents(pipeline.statusCapture)
                return events.filter { $0.status == .sent }.count >= 100
            }
            let received = pipeline.sandbox.control.received(integrationId: org.integrationID)
            let rate = Isolation.rate(Array(received.map(\.receivedAt).sorted().dropFirst(2)))
            func times(_ status: StatusEvent.Status) -> [String: Date] {
                Dictionary(events.filter { $0.status == status }.compactMap { event in
                    event.messageId.flatMap { id in DateTimeText.date(event.time).map { (id, $0) } }
                }, uniquingKeysWith: { first, _ in first })
            }
            let (accepted, sent) = (times(.accepted), times(.sent))
            // Past the first ten: those were taken before the first token came, and wait for it, not for a slot.
            let gaps = (10..<100).compactMap { index -> Double? in
                guard let start = accepted["m-\(index)"], let end = sent["m-\(index)"] else { return nil }
                return end.timeIntervalSince(start)
            }.sorted()
            let median = gaps.isEmpty ? nil : gaps[gaps.count / 2]
            Isolation.figure("slot-line", "accepted → sent over \(gaps.count) messages: median \(Isolation.seconds(median)), max \(Isolation.seconds(gaps.last)); rate \(Isolation.describe(rate, target: 20))")

            #expect(gaps.count == 90, "only \(gaps.count) of 90 messages reported both accepted and sent")
            #expect((median ?? 1) < 0.15, "median accepted → sent \(Isolation.seconds(median)): deliveries start before their slot and wait inside")
            #expect(received.count == 100 && Set(received.compactMap(\.channelMessageId)).count == 100, "\(received.count) received")
            #expect((Isolation.deviation(rate, from: 20) ?? 1) <= 0.03, "rate \(Isolation.describe(rate, target: 20))")
        }
    }
}
