import Foundation
import GatewayCore
import GatewayTestSupport
import GenesysSandbox
@testable import AMQPTransport
@testable import OrgServices
@testable import HTTPAPI
import Logging
import Testing
@testable import Broker

/// Delivery confirmations for agent messages: queued receipts through the whole pipeline (real RabbitMQ,
/// the `receipt` plugin, the real sandbox), and the webhook's own `Failed` receipt through the delivery core.
@Suite(.timeLimit(.minutes(2))) struct ReceiptIntegrationTests {
    static let org = TestOrg(tenant: "acme", name: "us")
    static let agentMessageID = "45c48cce2e2d7fbdea1afc51c7c6ad26"

    static func receipt(id: String, status: String, extra: String = "") -> [UInt8] {
        Array(#"{"id":"\#(id)","tenantId":"acme","org":"us","type":"receipt","genesysMessageId":"\#(agentMessageID)","customerId":"+15550100001","conversationId":"conv-9","status":"\#(status)"\#(extra),"createdAt":"2026-11-25T10:00:05Z"}"#.utf8)
    }

    @Test func queuedReceiptsReachGenesysAndAreTrackedInStatus() async throws {
        try await PipelineHarness.run("receipt", orgs: [Self.org]) { pipeline, _ in
            try await pipeline.publish([
                Self.receipt(id: "rc-delivered", status: "Delivered", extra: #","isFinalReceipt":false"#),
                Self.receipt(id: "rc-failed", status: "Failed", extra: #","reasons":[{"code":"RecipientOptedOut","message":"customer left the channel"}],"isFinalReceipt":true"#),
                Self.receipt(id: "rc-bad", status: "Read"),
            ])
            #expect(await pipeline.eventually { pipeline.sandbox.control.received().count >= 2 })
            let received = pipeline.sandbox.control.received()
            #expect(received.map(\.kind) == [.receipt, .receipt])
            #expect(received.map(\.id) == [Self.agentMessageID, Self.agentMessageID])
            #expect(received.map(\.customerId) == ["+15550100001", "+15550100001"])
            #expect(received.map(\.text) == ["Delivered", "Failed"], "one conversation's receipts keep their order")

            var events: [StatusEvent] = []
            var dead: [AMQPDelivery] = []
            _ = try await pipeline.eventually {
                events += try pipeline.probe.statusEvents(pipeline.statusCapture)
                dead += try pipeline.probe.drain(pipeline.topology.deadLetterQueue)
                return events.filter { $0.status == .sent }.count >= 2 && !dead.isEmpty
            }
            for id in ["rc-delivered", "rc-failed"] {
                let mine = events.filter { $0.messageId == id }
                #expect(mine.map(\.status) == [.accepted, .sent], "\(id): \(mine.map(\.status))")
                #expect(mine.last?.genesysMessageId == Self.agentMessageID)
            }
            #expect(dead.map(\.messageID) == ["rc-bad"])
            #expect(dead.first?.headers[QueueHeaders.reason]?.stringValue
                == "invalid message: status: 'status' must be one of Sent, Delivered, Failed, Published, Removed, got 'Read'")
        }
    }

    @Test func anAgentMessageTheWebhookCouldNotForwardIsReportedFailed() async throws {
        try await GatewayHarness.run(orgs: [Self.org]) { harness in
            let jobs = MessageJobs()
            async let jobsRun: Void = jobs.run()
            let reporter = FailedReceiptReporter(
                delivery: harness.delivery, jobs: jobs, clock: harness.clock, logger: Logger.quiet("receipt"))
            let message = InboundAgentMessage(
                tenantId: "acme", org: "us", genesysMessageId: Self.agentMessageID, conversationId: "conv-9", kind: "text",
                genesysType: "Text", customerId: "+15550100001", text: "Your order ships today",
                time: "2026-11-25T10:00:00Z", receivedAt: "2026-11-25T10:00:00.100Z")
            reporter.reportUndelivered(message, reason: "no broker confirm within 5 s")
            // The report runs among the jobs, whose end waits for it.
            jobs.finish()
            await jobsRun
            let received = harness.sandbox.control.received()
            #expect(received.map(\.kind) == [.receipt])
            #expect(received.first?.id == Self.agentMessageID)
            #expect(received.first?.customerId == "+15550100001")
            #expect(received.first?.text == "Failed")
        }
    }
}
