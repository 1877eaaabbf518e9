import Foundation
import GatewayTestSupport
import GenesysSandbox
import Logging
import Testing

/// Tenant isolation on the queue path (issue 10): one org's backlog, throttling, outage or removal never delays
/// another org, and never loses or duplicates a message.
///
/// Black-box on purpose: messages go into `<prefix>.outbound` (the platform's queue) and the tests look only at
/// what the sandbox received per org (counts, ids, arrival times on the sandbox's clock, order per conversation)
/// and at what sits in the broker's dead-letter and parking queues. How the gateway moves a message from the
/// outbound queue to Genesys (shared prefetch today; per-org queues `<prefix>.org.<tenant>.<org>` behind a
/// router later) is not looked at.
///
/// Rates are measured on the sandbox's receive times as (n − 1) / (t_last − t_first) over the steady part (the
/// first arrivals of an org wait for its first OAuth token and are left out). Every wait has a deadline: a test
/// fails, it never hangs. Each test prints `isolation[<test>]: ...` figure lines.
///
/// Run: `bash scripts/with-rabbitmq.sh swift test --skip-build --no-parallel --filter IntegrationTests.IsolationTimingIntegrationTests`
/// (≈ 3.5 min on 2 cores; `hundredOrgsOneHugeBacklog` alone ≈ 85 s).
@Suite(.serialized, .timeLimit(.minutes(4))) struct IsolationTimingIntegrationTests {
    // MARK: 1. backlog

    /// Org A (1 msg/s) has 1,000 messages queued; org B (100 msg/s) gets 200 published right behind them.
    /// B's 200 must all reach Genesys within 5 s of the last publish, at B's own rate, while A keeps its 1/s.
    @Test func backloggedOrgDoesNotDelayAnother() async throws {
        let test = "backlog"
        let a = TestOrg(tenant: "acme", name: "backlogged", rate: 1, burst: 1)
        let b = TestOrg(tenant: "globex", name: "fast", rate: 100, burst: 1)
        try await PipelineHarness.run("iso-backlog", orgs: [a, b]) { pipeline, _ in
            let sandbox = pipeline.sandbox.control
            let started = Date()
            try await pipeline.publishAll((0..<1000).map { index in
                GatewayHarness.textMessage(id: "a-\(index)", org: a, customer: "a-c\(index % 10)", text: "\(index / 10)")
            })
            // 10 customers × 20 messages, one round per sequence number: order per customer as published.
            try await pipeline.publishConversations(of: b, tag: "b", customers: 10, perCustomer: 20)
            let lastPublish = Date()
            let bInTime = await Isolation.eventually(timeout: .seconds(5)) {
                sandbox.received(integrationId: b.integrationID).count >= 200
            }
            let bAtDeadline = sandbox.received(integrationId: b.integrationID).count
            // A is watched for 12 s from the start of the run (≈ 11 intervals at 1/s).
            let watchUntil = started.addingTimeInterval(12)
            if watchUntil > Date() { try await Task.sleep(for: .seconds(watchUntil.timeIntervalSinceNow)) }
            let aReceived = sandbox.received(integrationId: a.integrationID)
            let bReceived = sandbox.received(integrationId: b.integrationID)

            let bTimes = bReceived.map(\.receivedAt).sorted()
            let bLast = bTimes.last.map { $0.timeIntervalSince(lastPublish) }
            let bRate = Isolation.rate(Array(bTimes.dropFirst(5)))
            let aTimes = aReceived.map(\.receivedAt).sorted()
            let aRate = Isolation.rate(Array(aTimes.dropFirst()))
            Isolation.figure(test, String(
                format: "published 1,000 A + 200 B in %.2f s", lastPublish.timeIntervalSince(started)))
            Isolation.figure(test, "B: \(bAtDeadline)/200 within 5 s of the last publish, \(bReceived.count)/200 after \(Isolation.seconds(Date().timeIntervalSince(lastPublish))); last B arrival \(Isolation.seconds(bLast)) after the last publish; B rate \(Isolation.describe(bRate, target: 100))")
            Isolation.figure(test, "A: \(aReceived.count) sent in the 12 s watched; A rate \(Isolation.describe(aRate, target: 1))")

            #expect(bInTime, "only \(bAtDeadline) of B's 200 reached Genesys within 5 s of the last publish, behind A's backlog")
            #expect(bReceived.count == 200 && Set(bReceived.compactMap(\.channelMessageId)).count == 200, "B: \(bReceived.count) received")
            #expect(Isolation.outOfOrder(bReceived).isEmpty, "B out of order: \(Isolation.outOfOrder(bReceived))")
            #expect((Isolation.deviation(bRate, from: 100) ?? 1) <= 0.02, "B at \(Isolation.describe(bRate, target: 100))")
            #expect(aReceived.count >= 10, "A sent only \(aReceived.count) in 12 s")
            #expect(Set(aReceived.compactMap(\.channelMessageId)).count == aReceived.count, "A: a message was sent twice")
            #expect((Isolation.deviation(aRate, from: 1) ?? 1) <= 0.02, "A at \(Isolation.describe(aRate, target: 1))")
        }
    }

    // MARK: 2. throttling

    /// Org A is answered 429 on every call (a storm from its Genesys org) while org B runs at its 50 msg/s limit
    /// for 10 s: B holds its rate within 5 % and has all 500 sent within 11.5 s of its first publish (10 s at its
    /// rate, 1.5 s for its first token and jitter). When the storm ends A delivers every message exactly once (nothing
    /// dead-lettered or parked), in order per conversation.
    @Test func throttledOrgDoesNotSlowAnother() async throws {
        let test = "throttled"
        var storming = TestOrg(tenant: "acme", name: "throttled", rate: 50, burst: 1)
        // Each 429 uses up an attempt; the storm lasts ~10 s with Retry-After 1 s, so give A room to ride it out:
        // the test is about B's rate and A losing nothing, not about A's attempt budget.
        storming.retry = .init(maxAttempts: 100, baseDelayMs: 50, maxDelayMs: 500, retryAfterCapSeconds: 10)
        let a = storming
        let b = TestOrg(tenant: "globex", name: "steady", rate: 50, burst: 1)
        let aCount = 300, bCount = 500
        try await PipelineHarness.run("iso-429", orgs: [a, b]) { pipeline, _ in
            let sandbox = pipeline.sandbox.control
            try sandbox.setFaults(FaultSettings(burst429Count: 1_000_000, burst429RetryAfterSeconds: 1), for: .integration(a.integrationID))
            // A: 10 customers × 30; B: 10 customers × 50 (10 s at 50/s), B right behind A.
            try await pipeline.publishConversations(of: a, tag: "a", customers: 10, perCustomer: aCount / 10)
            let bStart = Date()
            try await pipeline.publishConversations(of: b, tag: "b", customers: 10, perCustomer: bCount / 10)
            let (bDone, bReceived, bTimes, bRate) = await Isolation.watch(b, expecting: bCount, on: sandbox, within: 11.5, since: bStart)
            let throttled = sandbox.stats().statusCounts["429", default: 0]
            let aDuringStorm = sandbox.received(integrationId: a.integrationID).count

            sandbox.clearFaults()
            let cleared = Date()
            let aDone = await Isolation.eventually(timeout: .seconds(45)) {
                Set(sandbox.received(integrationId: a.integrationID).compactMap(\.channelMessageId)).count >= aCount
            }
            let aRecovered = Date()
            try await Task.sleep(for: .seconds(1))  // a duplicate would show up now
            let aReceived = sandbox.received(integrationId: a.integrationID)
            let dead = try pipeline.probe.drain(pipeline.topology.deadLetterQueue)
            let parked = try pipeline.probe.drain(pipeline.topology.parkedQueue)
            // Throttled messages wait in the gateway, as for an open circuit: none goes round a retry tier (each
            // would take its conversation's later messages with it, every Retry-After, for the whole storm).
            let retrying = try pipeline.probe.statusEvents(pipeline.statusCapture).filter { $0.status == .retrying && $0.tenantId == a.tenant }

            Isolation.figure(test, "B: \(bReceived.count)/\(bCount) within 11.5 s of its first publish; B rate \(Isolation.describe(bRate, target: 50)); first B arrival \(Isolation.seconds(bTimes.first?.timeIntervalSince(bStart))) after its first publish, last \(Isolation.seconds(bTimes.last?.timeIntervalSince(bStart)))")
            Isolation.figure(test, "A: \(throttled) answers 429 during the storm, \(aDuringStorm) accepted; after the storm \(Set(aReceived.compactMap(\.channelMessageId)).count)/\(aCount) distinct, \(aReceived.count) received in \(Isolation.seconds(aRecovered.timeIntervalSince(cleared))); dead-lettered \(dead.count), parked \(parked.count)")

            #expect(throttled > 0, "the storm never hit A")
            #expect(retrying.isEmpty, "\(retrying.count) of A's messages went round a retry tier during the storm")
            #expect(bDone, "B: only \(bReceived.count) of \(bCount) within 11.5 s of its first publish")
            #expect((Isolation.deviation(bRate, from: 50) ?? 1) <= 0.05, "B at \(Isolation.describe(bRate, target: 50))")
            #expect(bReceived.count == bCount && Set(bReceived.compactMap(\.channelMessageId)).count == bCount)
            #expect(aDone, "A: \(Set(aReceived.compactMap(\.channelMessageId)).count) of \(aCount) after the storm")
            #expect(aReceived.count == aCount, "A: \(aReceived.count) received for \(aCount) messages (duplicates or losses)")
            #expect(Set(aReceived.compactMap(\.channelMessageId)) == Set((0..<10).flatMap { c in (0..<(aCount / 10)).map { "a-\(c)-\($0)" } }))
            #expect(Isolation.outOfOrder(aReceived).isEmpty, "A out of order: \(Isolation.outOfOrder(aReceived))")
            #expect(dead.isEmpty, "dead-lettered: \(dead.compactMap { Isolation.messageID($0.body) }.prefix(10))")
            #expect(parked.isEmpty, "parked: \(parked.compactMap { Isolation.messageID($0.body) }.prefix(10))")
        }
    }

    // MARK: 3. outage

    /// Org A's Genesys is down (every call 503, so A's circuit opens) while 8,000 messages for A wait across 50
    /// conversations; org B runs at its 50 msg/s meanwhile, unaffected (within 5 %, all 500 sent within 11.5 s
    /// of its first publish). Then A's Genesys comes back
    /// and A drains at its own limit: every message exactly once, in order per conversation.
    ///
    /// 8,000 messages, not the issue's 10,000: "A drains at its limit" needs a limit the test rig can reach, and
    /// the in-process harness (debug build, 16 in flight per org, 2 shared cores) drains one org at only about
    /// 330–350 msg/s (measured with no fault at 400 and 1,000 msg/s limits). At a safe 200 msg/s, 10,000 would
    /// be a 50 s drain and a ≈ 70 s test; 8,000 drain in 40 s and the whole test takes ≈ 58 s (publish ≈ 4 s,
    /// B's 10 s, drain). With a release build or a faster rig, raise both to 10,000 at 400 msg/s.
    @Test func failingOrgBacklogDrainsInOrder() async throws {
        let test = "outage"
        let backlog = 8_000, conversations = 50, aRate = 200.0
        var down = TestOrg(tenant: "acme", name: "down", rate: aRate, burst: 1)
        down.breaker = .init(failureThresholdPercent: 50, windowSeconds: 60, minimumRequests: 20, openSeconds: 1, maxOpenSeconds: 2, halfOpenProbes: 3)
        // The calls made before the circuit opens, and the failed half-open probes, use up attempts.
        down.retry = .init(maxAttempts: 100, baseDelayMs: 50, maxDelayMs: 500, retryAfterCapSeconds: 2)
        let a = down
        let b = TestOrg(tenant: "globex", name: "healthy", rate: 50, burst: 1)
        let bCount = 500
        try await PipelineHarness.run("iso-down", orgs: [a, b]) { pipeline, _ in
            let sandbox = pipeline.sandbox.control
            try sandbox.setFaults(FaultSettings(failureRate: 1, failureStatuses: [503]), for: .integration(a.integrationID))
            let started = Date()
            try await pipeline.publishConversations(of: a, tag: "a", customers: conversations, perCustomer: backlog / conversations)
            let bStart = Date()
            try await pipeline.publishConversations(of: b, tag: "b", customers: 10, perCustomer: bCount / 10)
            let (bDone, bReceived, bTimes, bRate) = await Isolation.watch(b, expecting: bCount, on: sandbox, within: 11.5, since: bStart)
            let failed = sandbox.stats().statusCounts["503", default: 0]
            let aDuringOutage = sandbox.received(integrationId: a.integrationID).count

            sandbox.clearFaults()
            let cleared = Date()
            let aDone = await Isolation.eventually(timeout: .seconds(Double(backlog) / aRate * 1.5 + 10), interval: .milliseconds(250)) {
                sandbox.received(integrationId: a.integrationID).count >= backlog
            }
            let aDrained = Date()
            try await Task.sleep(for: .seconds(1))  // a duplicate would show up now
            let aReceived = sandbox.received(integrationId: a.integrationID)
            let aIDs = Set(aReceived.compactMap(\.channelMessageId))
            // The drain's steady part: past the circuit's half-open probes and the first 100.
            let aRateDrain = Isolation.rate(Array(aReceived.map(\.receivedAt).sorted().dropFirst(100)))
            let wrongOrder = Isolation.outOfOrder(aReceived)
            let dead = try pipeline.probe.drain(pipeline.topology.deadLetterQueue)
            let parked = try pipeline.probe.drain(pipeline.topology.parkedQueue)

            Isolation.figure(test, String(format: "published %d A in %.2f s", backlog, bStart.timeIntervalSince(started)))
            Isolation.figure(test, "B: \(bReceived.count)/\(bCount) within 11.5 s of its first publish; B rate \(Isolation.describe(bRate, target: 50)); first B arrival \(Isolation.seconds(bTimes.first?.timeIntervalSince(bStart))) after its first publish, last \(Isolation.seconds(bTimes.last?.timeIntervalSince(bStart)))")
            Isolation.figure(test, "A during the outage: \(failed) answers 503, \(aDuringOutage) accepted")
            Isolation.figure(test, "A after recovery: \(aIDs.count)/\(backlog) distinct, \(aReceived.count) received, drained in \(Isolation.seconds(aDrained.timeIntervalSince(cleared))); drain rate \(Isolation.describe(aRateDrain, target: aRate)); \(wrongOrder.count) conversation(s) out of order; dead-lettered \(dead.count), parked \(parked.count)")

            #expect(failed > 0, "the outage never hit A")
            #expect(aDuringOutage == 0)
            #expect(bDone, "B: only \(bReceived.count) of \(bCount) within 11.5 s of its first publish")
            #expect((Isolation.deviation(bRate, from: 50) ?? 1) <= 0.05, "B at \(Isolation.describe(bRate, target: 50))")
            #expect(bReceived.count == bCount && Set(bReceived.compactMap(\.channelMessageId)).count == bCount)
            #expect(aDone, "A: \(aReceived.count) of \(backlog) within the drain deadline")
            #expect(aReceived.count == backlog && aIDs.count == backlog, "A: \(aReceived.count) received, \(aIDs.count) distinct, of \(backlog)")
            #expect(wrongOrder.isEmpty, "A out of order in \(wrongOrder.count) conversation(s), e.g. \(wrongOrder.first.map { "\($0.key): \($0.value.prefix(20))" } ?? "")")
            #expect((Isolation.deviation(aRateDrain, from: aRate) ?? 1) <= 0.05, "A drained at \(Isolation.describe(aRateDrain, target: aRate))")
            #expect(dead.isEmpty, "dead-lettered: \(dead.count)")
            #expect(parked.isEmpty, "parked: \(parked.count)")
        }
    }
}
