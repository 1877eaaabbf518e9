import Foundation
import GatewayTestSupport
import Logging
import PluginKit
import Synchronization
import Testing
@testable import GatewayConfig
@testable import GatewayCore
@testable import GatewayDelivery
@testable import OrgServices

/// A message's whole send behind one call: the id claimed against every other send of it, the receipt asked
/// for, the send, and a queued message's wait for its retry — on a scripted Genesys and a manual clock.
@Suite(.timeLimit(.minutes(1))) struct MessageSendingTests {
    /// What a queued send reported, and whether it may hold its retries.
    final class RecordedProgress: SendProgress {
        enum Step: Equatable { case starting, retryHeld(attempt: Int) }
        private let recorded = Mutex<[Step]>([])
        private let holds: Bool
        var steps: [Step] { recorded.withLock { $0 } }

        init(holds: Bool) { self.holds = holds }
        func starting() async { recorded.withLock { $0.append(.starting) } }
        func mayHoldRetry() async -> Bool { holds }
        func retryHeld(attempt: Int, after delay: Duration, reason: String, error: GenesysError?) async {
            recorded.withLock { $0.append(.retryHeld(attempt: attempt)) }
        }
    }

    struct Setup {
        let http: ScriptedHTTPClient
        let clock = ManualClock()
        let delivery: DeliveryService
        private let tenant: ScriptedTenant

        /// - Parameter genesys: the status Genesys answers the n-th message with (1-based), after `gate` opens.
        init(gate: Gate? = nil, genesys: @escaping @Sendable (Int) -> Int = { _ in 200 }) throws {
            let messages = Mutex(0)
            http = ScriptedHTTPClient { request in
                if request.url.hasSuffix("/oauth/token") {
                    return HTTPResponse(status: 200, body: Array(#"{"access_token":"t","token_type":"bearer","expires_in":86400}"#.utf8))
                }
                let n = messages.withLock { $0 += 1; return $0 }
                await gate?.wait()
                return HTTPResponse(status: genesys(n), body: Array(#"{"id":"g-\#(n)","conversationId":"c-1"}"#.utf8))
            }
            let logger = Logger(label: "sending-tests") { _ in SwiftLogNoOpLogHandler() }
            tenant = try ScriptedTenant(http: http, clock: clock, rate: 100, burst: 100, logger: logger)
            delivery = DeliveryService(registry: tenant.registry, http: http, clock: clock, logger: logger)
        }

        var messagesToGenesys: Int { http.requests.filter { !$0.url.hasSuffix("/oauth/token") }.count }

        static func request(_ id: String) throws -> DeliveryRequest {
            let bytes = Array(#"{"id":"\#(id)","tenantId":"acme","type":"text","textBody":"hi","sender":{"id":"+15550001","idType":"Phone"},"createdAt":"2026-12-07T10:00:00Z"}"#.utf8)
            var request = DeliveryRequest(bytes: bytes)
            request.decoded = try QueuedMessage.decode(bytes).get()
            return request
        }
    }

    @Test func anIDTheQueueIsSendingIsRefusedNowAndAnsweredWithItsReceiptOnceSent() async throws {
        let gate = Gate()
        let setup = try Setup(gate: gate)
        let (delivery, request) = (setup.delivery, try Setup.request("m-1"))
        let queued = Task { await delivery.sendQueued(request, redelivered: false, progress: RecordedProgress(holds: false)) }
        while gate.waiting == 0, !Task.isCancelled { await Task.yield() }
        await #expect(throws: MessageIDInUse(messageID: "m-1", tenantID: "acme")) {
            try await setup.delivery.sendNow(Setup.request("m-1"))
        }
        gate.open()
        guard case .delivered(let receipt) = await queued.value.outcome else {
            Issue.record("the queued send did not deliver")
            return
        }
        #expect(try await setup.delivery.sendNow(Setup.request("m-1")) == .alreadyDelivered(receipt))
        #expect(setup.messagesToGenesys == 1)
    }

    @Test func aQueuedSendOfAnIDAnotherHoldsWaitsItsTurnThenFindsTheReceipt() async throws {
        let gate = Gate()
        let setup = try Setup(gate: gate)
        let first = RecordedProgress(holds: false), second = RecordedProgress(holds: false)
        let (delivery, request) = (setup.delivery, try Setup.request("m-1"))
        let sending = Task { await delivery.sendQueued(request, redelivered: false, progress: first) }
        while gate.waiting == 0, !Task.isCancelled { await Task.yield() }
        let waiting = Task { await delivery.sendQueued(request, redelivered: true, progress: second) }
        for _ in 0..<100 { await Task.yield() }
        #expect(second.steps.isEmpty, "started while the other send held the id")
        gate.open()
        guard case .delivered(let receipt) = await sending.value.outcome else {
            Issue.record("the first send did not deliver")
            return
        }
        #expect(await waiting.value.outcome == .alreadyDelivered(receipt))
        #expect(first.steps == [.starting] && second.steps.isEmpty)
        #expect(setup.messagesToGenesys == 1)
    }

    @Test func aFailedQueuedSendWaitsForItsRetryHereWhileItsSenderAllows() async throws {
        let setup = try Setup { n in n == 1 ? 503 : 200 }
        let progress = RecordedProgress(holds: true)
        let (delivery, request) = (setup.delivery, try Setup.request("m-1"))
        let sending = Task { await delivery.sendQueued(request, redelivered: false, progress: progress) }
        await setup.clock.waitForSleepers(1)
        #expect(progress.steps == [.starting, .retryHeld(attempt: 2)])
        setup.clock.advanceToNextDeadline()
        let (outcome, attempt) = await sending.value
        guard case .delivered = outcome else {
            Issue.record("not delivered on the held retry: \(outcome)")
            return
        }
        #expect(attempt == 2)
        #expect(setup.messagesToGenesys == 2)
    }

    @Test func aFailedQueuedSendItsSenderWillNotHoldEndsWithTheRetry() async throws {
        let setup = try Setup { _ in 503 }
        let progress = RecordedProgress(holds: false)
        let (outcome, attempt) = await setup.delivery.sendQueued(try Setup.request("m-1"), redelivered: false, progress: progress)
        guard case .retry = outcome else {
            Issue.record("expected a retry for a retry tier, got \(outcome)")
            return
        }
        #expect(attempt == 1 && progress.steps == [.starting])
        #expect(setup.messagesToGenesys == 1)
    }
}
