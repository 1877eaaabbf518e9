import GatewayCore
import GatewayTestSupport
import Logging
import Testing
@testable import AMQPTransport
@testable import OrgServices
@testable import HTTPAPI
@testable import Broker

/// The webhook's decisions, with the real registry, signature check, normalizer and deduplicator and a
/// publisher that the test controls (the RabbitMQ path is in WebhookIntegrationTests).
@Suite(.timeLimit(.minutes(1))) struct WebhookHandlerTests {
    /// Publishes into a list, or fails, or waits at a gate first.
    final class TestPublisher: InboundPublishing {
        let published = Collected<InboundAgentMessage>()
        let failure: String?
        let gate: Gate?

        init(failure: String? = nil, gate: Gate? = nil) {
            self.failure = failure
            self.gate = gate
        }

        func publish(_ message: InboundAgentMessage) async throws {
            if let gate { await gate.wait() }
            if let failure { throw AMQPError("publish", failure) }
            published.append(message)
        }
    }

    final class RecordingReporter: UndeliveredMessageReporting {
        let reports = Collected<(message: InboundAgentMessage, reason: String)>()

        func reportUndelivered(_ message: InboundAgentMessage, reason: String) {
            reports.append((message, reason))
        }
    }

    static let quiet = {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }()

    let registry: TenantRegistry
    let folders: [TemporaryDirectory]
    let clock = ManualClock()
    let reporter = RecordingReporter()
    let jobs = MessageJobs()

    init() throws {
        (registry, folders) = try WebhookFixtures.registry()
    }

    func handler(_ publisher: TestPublisher) -> WebhookHandler {
        WebhookHandler(
            registry: registry, publisher: publisher, deduplicator: WebhookDeduplicator(clock: clock), undelivered: reporter,
            jobs: jobs, clock: clock, logger: Self.quiet)
    }

    @Test func aSignedMessageIsPublishedOnceAndItsRetryAnswered200() async {
        let publisher = TestPublisher()
        let handler = handler(publisher)
        let body = Array(WebhookFixtures.text.utf8)
        let first = await handler.handle(tenantID: "acme", orgName: "us", signature: WebhookFixtures.textSignature, body: body)
        let retry = await handler.handle(tenantID: "acme", orgName: "us", signature: WebhookFixtures.textSignature, body: body)
        #expect(first == .accepted(genesysMessageID: "a1b2c3d4"))
        #expect(retry == .duplicate(genesysMessageID: "a1b2c3d4"))
        #expect(first.httpStatus == 200 && retry.httpStatus == 200)
        #expect(publisher.published.all.map(\.genesysMessageId) == ["a1b2c3d4"])
        #expect(publisher.published.all.first?.tenantId == "acme")
    }

    @Test func badOrMissingSignaturesPublishNothing() async {
        let publisher = TestPublisher()
        let handler = handler(publisher)
        let body = Array(WebhookFixtures.text.utf8)
        #expect(await handler.handle(tenantID: "acme", orgName: "us", signature: nil, body: body) == .unauthorized(.missingHeader))
        #expect(await handler.handle(tenantID: "acme", orgName: "us", signature: "sha1=abc", body: body) == .unauthorized(.wrongPrefix))
        #expect(await handler.handle(tenantID: "acme", orgName: "us", signature: WebhookFixtures.receiptSignature, body: body) == .unauthorized(.mismatch))
        #expect(WebhookResult.unauthorized(.mismatch).httpStatus == 401)
        #expect(publisher.published.all.isEmpty)
        // A refused call is not remembered: Genesys' genuine call still goes through.
        #expect(await handler.handle(tenantID: "acme", orgName: "us", signature: WebhookFixtures.textSignature, body: body)
            == .accepted(genesysMessageID: "a1b2c3d4"))
    }

    @Test func unknownTenantsOrgsAndOrgsWithoutASecretAre401LikeABadSignature() async {
        let handler = handler(TestPublisher())
        let body = Array(WebhookFixtures.text.utf8)
        let signature = WebhookFixtures.textSignature
        for (tenant, org) in [("nobody", "us"), ("acme", "eu"), ("acme", "quiet")] {
            let result = await handler.handle(tenantID: tenant, orgName: org, signature: signature, body: body)
            guard case .unknownOrg = result else {
                Issue.record("\(tenant)/\(org): \(result)")
                continue
            }
            #expect(result.httpStatus == 401)
        }
    }

    @Test func aDisabledTenantIs403AfterTheSignatureCheck() async {
        let publisher = TestPublisher()
        let handler = handler(publisher)
        let body = Array(WebhookFixtures.text.utf8)
        #expect(await handler.handle(tenantID: "dormant", orgName: "us", signature: "sha256=AAAA", body: body) == .unauthorized(.mismatch))
        let result = await handler.handle(tenantID: "dormant", orgName: "us", signature: WebhookFixtures.textSignature, body: body)
        #expect(result == .tenantDisabled)
        #expect(result.httpStatus == 403)
        #expect(publisher.published.all.isEmpty)
    }

    @Test func aSignedBodyThatIsNotAMessageIs400NamingTheField() async {
        let publisher = TestPublisher()
        let result = await handler(publisher).handle(
            tenantID: "acme", orgName: "us", signature: WebhookFixtures.noCustomerSignature, body: Array(WebhookFixtures.noCustomer.utf8))
        guard case .invalidBody(let error) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(error.field == "channel.to")
        #expect(result.httpStatus == 400)
        #expect(publisher.published.all.isEmpty)
    }

    @Test func aFailedPublishIsAnswered200AndReportedToGenesysOnce() async {
        let publisher = TestPublisher(failure: "connection refused")
        let handler = handler(publisher)
        let body = Array(WebhookFixtures.text.utf8)
        let result = await handler.handle(tenantID: "acme", orgName: "us", signature: WebhookFixtures.textSignature, body: body)
        guard case .forwardFailed(let id, let reason) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(id == "a1b2c3d4")
        #expect(reason.contains("connection refused"))
        #expect(result.httpStatus == 200)
        #expect(reporter.reports.all.map(\.message.genesysMessageId) == ["a1b2c3d4"])
        // The agent's side sees that it failed, not the broker's error text.
        #expect(reporter.reports.all.first?.reason == WebhookHandler.failedReason(kind: "text"))
        #expect(reporter.reports.all.first?.reason.contains("connection refused") == false)
        // Genesys was answered 200 and told "Failed": a retry anyway is not forwarded or reported again.
        #expect(await handler.handle(tenantID: "acme", orgName: "us", signature: WebhookFixtures.textSignature, body: body)
            == .duplicate(genesysMessageID: "a1b2c3d4"))
        #expect(reporter.reports.all.count == 1)
    }

    @Test func aSlowBrokerIsAnsweredAfterTheBoundAndAFinalFailureStillReported() async {
        let jobs = jobs
        async let jobsRun: Void = jobs.run()
        let gate = Gate()
        let publisher = TestPublisher(failure: "no confirm within 15 s", gate: gate)
        let handler = handler(publisher)
        async let answer = handler.handle(
            tenantID: "acme", orgName: "us", signature: WebhookFixtures.textSignature, body: Array(WebhookFixtures.text.utf8))
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(4))
        #expect(gate.waiting == 1, "still publishing at 4 s")
        clock.advance(by: .seconds(1))
        let result = await answer
        #expect(result == .forwardUnconfirmed(genesysMessageID: "a1b2c3d4"))
        #expect(reporter.reports.all.isEmpty, "the publish may still succeed")
        gate.open()
        // The follow-up is one of the gateway's jobs: their end waits for it.
        jobs.finish()
        await jobsRun
        #expect(reporter.reports.all.map(\.message.genesysMessageId) == ["a1b2c3d4"])
    }

    @Test func aLostGenesysReceiptIsNotAnsweredWithAReceipt() async {
        let result = await handler(TestPublisher(failure: "connection refused")).handle(
            tenantID: "acme", orgName: "us", signature: WebhookFixtures.receiptSignature, body: Array(WebhookFixtures.receipt.utf8))
        #expect(result == .forwardFailed(genesysMessageID: "r9", reason: "AMQP publish: connection refused"))
        #expect(reporter.reports.all.isEmpty)
    }
}
