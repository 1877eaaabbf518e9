import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import AMQPTransport
import Logging
import Testing
@testable import Broker

/// The isolation scenarios that run `genesys-gateway run` as its own process: a reload through the admin API,
/// and 100 orgs with the gateway's memory watched. Part of ``IsolationTimingIntegrationTests`` (same serialized suite).
extension IsolationTimingIntegrationTests {
    // MARK: 4. reload

    /// The gateway runs as its own process. Org A (2 msg/s) has 200 messages waiting when its tenant file is
    /// removed and the config reloaded (`POST /admin/reload`): every message of A not yet sent is parked — none
    /// dead-lettered, none sent after the reload, none lost, none twice. Then A comes back (its file restored,
    /// reloaded) and `genesys-gateway replay-dlq --parked` replays them: each reaches Genesys exactly once.
    @Test func reloadRemovingBackloggedOrgParksItsMessages() async throws {
        let test = "reload"
        let a = TestOrg(tenant: "acme", name: "leaving", rate: 2, burst: 1)
        let b = TestOrg(tenant: "globex", name: "staying", rate: 50, burst: 1)
        let total = 200
        let allA = Set((0..<10).flatMap { customer in (0..<(total / 10)).map { "a-\(customer)-\($0)" } })
        let url = try BrokerProbe.url
        let prefix = BrokerProbe.uniquePrefix("iso-reload")
        let topology = QueueTopology(prefix: prefix)
        let probe = BrokerProbe(url: url, topology: topology)
        try await GatewayHarness.withSandbox(orgs: [a, b], logger: .quiet("isolation")) { setup in
            let sandbox = setup.sandbox.control
            let gateway = try IsolationGatewayProcess(setup: setup, url: url, prefix: prefix, extraArguments: ["--shutdown-timeout", "2", "--prefetch", "200"])
            let publisher = AMQPClient(settings: .init(url: url, topology: topology, prefetch: 0), logger: .quiet("publisher"))
            let connection = Task { await publisher.run() }
            func finish() async {
                publisher.stop()
                await connection.value
                await gateway.stop()
            }
            do {
                let ready = await gateway.waitUntilReady()
                try #require(ready, "gateway not ready within 30 s; log \(gateway.logPath):\n\(gateway.logTail())")
                try await publisher.publishRounds((0..<(total / 10)).map { sequence in
                    (0..<10).map { customer in
                        GatewayHarness.textMessage(id: "a-\(customer)-\(sequence)", org: a, customer: "a-c\(customer)", text: "\(sequence)")
                    }
                } + [(0..<50).map { GatewayHarness.textMessage(id: "b-\($0)", org: b, customer: "b-c\($0 % 5)") }], to: topology.outbound)
                let flowing = await Isolation.eventually(timeout: .seconds(10)) { sandbox.received(integrationId: a.integrationID).count >= 3 }
                try #require(flowing, "A is not being sent at all")

                try FileManager.default.removeItem(atPath: setup.configDirectory + "/acme.yaml")
                let removal = try await gateway.reload()
                let reloaded = Date()
                let sentBefore = sandbox.received(integrationId: a.integrationID).count
                #expect(removal.status == 200, "reload: \(removal.status) \(removal.report)")

                // Everything of A ends up sent, parked or (wrongly) dead-lettered; wait until it has all settled.
                func settledCount() throws -> Int {
                    let parked = try probe.peek(topology.parkedQueue).compactMap { Isolation.messageID($0.body) }
                    let dead = try probe.peek(topology.deadLetterQueue).compactMap { Isolation.messageID($0.body) }
                    let sent = sandbox.received(integrationId: a.integrationID).compactMap(\.channelMessageId)
                    return Set(sent).union(parked).union(dead).intersection(allA).count
                }
                let settled = try await Isolation.eventually(timeout: .seconds(20), interval: .milliseconds(500)) { try settledCount() >= total }
                try await Task.sleep(for: .seconds(1))  // anything still moving would show up now
                let parkedIDs = try probe.peek(topology.parkedQueue).compactMap { Isolation.messageID($0.body) }.filter(allA.contains)
                let deadIDs = try probe.peek(topology.deadLetterQueue).compactMap { Isolation.messageID($0.body) }.filter(allA.contains)
                let sent = sandbox.received(integrationId: a.integrationID)
                let sentIDs = Set(sent.compactMap(\.channelMessageId))
                let late = sent.filter { $0.receivedAt > reloaded.addingTimeInterval(2) }.count
                let notParked = allA.subtracting(sentIDs).subtracting(parkedIDs).count
                let lost = allA.subtracting(sentIDs).subtracting(parkedIDs).subtracting(deadIDs)
                let sentAndParked = sentIDs.intersection(parkedIDs).count

                Isolation.figure(test, "A: \(sentBefore) sent before the reload; \(sentIDs.count) sent in all (\(late) of them more than 2 s after the reload), \(parkedIDs.count) parked, \(deadIDs.count) dead-lettered, \(lost.count) lost, of \(total)")
                #expect(settled, "A's messages did not settle within 20 s of the reload")
                #expect(deadIDs.count == 0, "\(deadIDs.count) of A's waiting messages were dead-lettered instead of parked")
                #expect(parkedIDs.count == total - sentIDs.count, "parked \(parkedIDs.count), sent \(sentIDs.count), of \(total)")
                #expect(Set(parkedIDs).count == parkedIDs.count, "a message was parked twice")
                #expect(notParked == 0, "\(notParked) of A's messages neither sent nor parked")
                #expect(lost.count == 0, "lost (neither sent, parked nor dead-lettered): \(lost.sorted().prefix(10))")
                #expect(sentAndParked == 0, "\(sentAndParked) message(s) both sent and parked")
                #expect(sent.count == sentIDs.count, "A: a message was sent twice")
                #expect(late == 0, "\(late) of A's messages were sent more than 2 s after A was removed")
                // The replay below needs parked messages: a run in which A's backlog was gone before the reload
                // (nothing parked) tests nothing of it, and fails here instead of passing without a replay.
                try #require(!parkedIDs.isEmpty, "nothing of A was parked (\(sentBefore) of \(total) sent before the reload): no replay to test")
                try #require(deadIDs.isEmpty && notParked == 0, "A's messages did not all end up sent or parked: the replay would not show their fate")

                // A comes back, faster; its parked messages are replayed and sent, each exactly once.
                let back = TestOrg(tenant: "acme", name: "leaving", rate: 200, burst: 1)
                try GatewayHarness.yaml(tenant: "acme", orgs: [back], baseURL: setup.sandbox.baseURL).text
                    .write(toFile: setup.configDirectory + "/acme.yaml", atomically: true, encoding: .utf8)
                let restore = try await gateway.reload()
                #expect(restore.status == 200, "reload: \(restore.status) \(restore.report)")
                let replay = try ScriptProcess.run([
                    BuiltPlugins.buildDirectory + "/genesys-gateway", "replay-dlq", "--parked", "--tenant", "acme", "--limit", "1000",
                    "--amqp-url", url, "--queue-prefix", prefix,
                ])
                let replayed = await Isolation.eventually(timeout: .seconds(15)) {
                    Set(sandbox.received(integrationId: a.integrationID).compactMap(\.channelMessageId)).count >= total
                }
                try await Task.sleep(for: .milliseconds(500))
                let final = sandbox.received(integrationId: a.integrationID)
                let stillParked = try probe.peek(topology.parkedQueue).count
                let deadAfter = try probe.peek(topology.deadLetterQueue).count
                Isolation.figure(test, "replay: \(replay.output.trimmingCharacters(in: .whitespacesAndNewlines)); A: \(Set(final.compactMap(\.channelMessageId)).count)/\(total) distinct, \(final.count) received; \(stillParked) still parked, \(deadAfter) dead-lettered")
                #expect(replay.status == 0, "replay-dlq: \(replay.output)")
                #expect(replayed, "A's replayed messages did not all arrive within 15 s")
                #expect(final.count == total && Set(final.compactMap(\.channelMessageId)) == allA)
                #expect(stillParked == 0 && deadAfter == 0)
                await finish()
            } catch {
                await finish()
                throw error
            }
        }
    }

    // MARK: 5. hundred orgs (the heaviest test)

    /// THE HEAVIEST TEST (≈ 80 s, its own broker): 100 orgs on one gateway process. 99 of them get live traffic
    /// a little above their 2 msg/s limit for the whole run; after a 15 s baseline the 100th ("whale", 20 msg/s)
    /// gets 100,000 messages at once. Once the router has moved them into the whale's own queue, over the 20 s
    /// that follow, each of the 99 (and the whale) keeps its rate within 5 %, and the gateway's resident memory
    /// while the backlog waits stays within 20 MB of its level before it.
    ///
    /// Runs on a private RabbitMQ node (reset at the end), so the 100,000 messages left waiting do not weigh
    /// on the broker the other tests share.
    @Test func hundredOrgsOneHugeBacklog() async throws {
        let test = "hundred"
        let rate = 2.0, offered = 2.2, whaleRate = 20.0, backlog = 100_000
        let steady = (0..<99).map { TestOrg(tenant: String(format: "t%02d", $0), name: "main", rate: rate, burst: 1) }
        let whale = TestOrg(tenant: "whale", name: "main", rate: whaleRate, burst: 1)
        let broker = ScriptProcess.Broker(port: Int.random(in: 5900...6099), runDirectory: TemporaryDirectory.fresh())
        try broker.start()
        defer { try? broker.reset() }
        let prefix = BrokerProbe.uniquePrefix("iso-hundred")
        let topology = QueueTopology(prefix: prefix)
        try await GatewayHarness.withSandbox(orgs: steady + [whale], logger: .quiet("isolation")) { setup in
            let sandbox = setup.sandbox.control
            let gateway = try IsolationGatewayProcess(setup: setup, url: broker.url, prefix: prefix, extraArguments: ["--shutdown-timeout", "2", "--prefetch", "200"])
            let live = AMQPClient(settings: .init(url: broker.url, topology: topology, prefetch: 0), logger: .quiet("live"))
            let bulk = AMQPClient(settings: .init(url: broker.url, topology: topology, prefetch: 0), logger: .quiet("bulk"))
            let connections = Task {
                async let liveRun: Void = live.run()
                async let bulkRun: Void = bulk.run()
                _ = await (liveRun, bulkRun)
            }
            let memory = Collected<(Date, Int)>()
            var background: [Task<Void, Never>] = []
            func finish() async {
                background.forEach { $0.cancel() }
                for task in background { await task.value }
                live.stop()
                bulk.stop()
                await connections.value
                await gateway.stop()
            }
            do {
                let ready = await gateway.waitUntilReady()
                try #require(ready, "gateway not ready within 30 s; log \(gateway.logPath):\n\(gateway.logTail())")
                let started = Date()
                background.append(Task {
                    while !Task.isCancelled {
                        if let kilobytes = gateway.residentKilobytes() { memory.append((Date(), kilobytes)) }
                        try? await Task.sleep(for: .milliseconds(250))
                    }
                })
                // Live traffic: org i's n-th message is due at (n − i/99) / offered s, so the 99 are spread out.
                background.append(Task {
                    var sent = [Int](repeating: 0, count: steady.count)
                    while !Task.isCancelled {
                        let elapsed = Date().timeIntervalSince(started)
                        var batch: [[UInt8]] = []
                        for (index, org) in steady.enumerated() {
                            let due = Int(elapsed * offered + Double(index) / Double(steady.count))
                            while sent[index] < due {
                                batch.append(GatewayHarness.textMessage(id: "\(org.tenant)-\(sent[index])", org: org, customer: "c\(sent[index] % 5)"))
                                sent[index] += 1
                            }
                        }
                        try? await live.publishAll(batch, to: topology.outbound)
                        try? await Task.sleep(for: .milliseconds(50))
                    }
                })
                try await Task.sleep(for: .seconds(15))
                let dumpStarted = Date()
                try await bulk.publishAll((0..<backlog).map { index in
                    GatewayHarness.textMessage(id: "whale-\(index)", org: whale, customer: "w-c\(index % 1000)")
                }, to: topology.outbound, window: 2000)
                let dumped = Date()
                // The whale's burst passes through the one ingress queue that every org shares: until the router
                // has moved it into the whale's own queue, the others' messages published meanwhile wait behind
                // it (a delay of burst ÷ router speed, reported below). From then on the whale's 100,000 wait in
                // its own queue, and that is what must cost the others nothing.
                let ingress = try AMQPConnection(url: broker.url, heartbeatSeconds: 0, connectTimeout: .seconds(5))
                try ingress.openChannel(1)
                let routingDeadline = Date().addingTimeInterval(90)
                while try ingress.readyCount(ofQueue: topology.outbound, channel: 1) > 0, Date() < routingDeadline {
                    try await Task.sleep(for: .milliseconds(100))
                }
                let routed = Date()
                try await Task.sleep(for: .seconds(20))
                let ended = Date()
                background.first?.cancel()  // memory sampling stops here; the live traffic too, below
                await finish()

                let window = (routed.addingTimeInterval(2), ended)
                func figures(_ org: TestOrg, from start: Date, to end: Date) -> (count: Int, rate: Double?) {
                    let times = sandbox.received(integrationId: org.integrationID).map(\.receivedAt).filter { $0 >= start && $0 <= end }
                    return (times.count, Isolation.rate(times))
                }
                let rates = steady.map { (org: $0, figures: figures($0, from: window.0, to: window.1)) }
                let ratesBefore = steady.compactMap { figures($0, from: started.addingTimeInterval(5), to: dumpStarted).rate }.sorted()
                let off = rates.filter { (Isolation.deviation($0.figures.rate, from: rate) ?? 1) > 0.05 }
                let measured = rates.compactMap(\.figures.rate).sorted()
                let whaleFigures = figures(whale, from: window.0, to: window.1)
                let samples = memory.all
                let before = samples.filter { $0.0 >= started.addingTimeInterval(10) && $0.0 < dumpStarted }.map(\.1)
                // While the backlog waits (routed into the whale's queue): what the backlog itself costs. The routing
                // burst before it is a transient of the router's speed, not of the backlog's size; reported apart.
                let after = samples.filter { $0.0 >= routed }.map(\.1)
                let routing = samples.filter { $0.0 >= dumpStarted && $0.0 < routed }.map(\.1)
                let baseline = before.max() ?? 0
                let peak = after.max() ?? 0

                Isolation.figure(test, String(
                    format: "published %d whale messages in %.2f s; the ingress queue was empty again (all routed) %.2f s after the burst began",
                    backlog, dumped.timeIntervalSince(dumpStarted), routed.timeIntervalSince(dumpStarted)))
                func perSecond(_ value: Double?) -> String { value.map { String(format: "%.3f/s", $0) } ?? "n/a" }
                Isolation.figure(test, "the 99 before the backlog (\(Isolation.seconds(dumpStarted.timeIntervalSince(started) - 5))): min \(perSecond(ratesBefore.first)), median \(perSecond(ratesBefore.isEmpty ? nil : ratesBefore[ratesBefore.count / 2])), max \(perSecond(ratesBefore.last))")
                Isolation.figure(test, "the 99 over \(Isolation.seconds(window.1.timeIntervalSince(window.0))) after the backlog: min \(perSecond(measured.first)), median \(perSecond(measured.isEmpty ? nil : measured[measured.count / 2])), max \(perSecond(measured.last)); \(off.count) outside ±5 %; fewest sent \(rates.map(\.figures.count).min() ?? 0)")
                Isolation.figure(test, "whale: \(whaleFigures.count) sent in the window; rate \(Isolation.describe(whaleFigures.rate, target: whaleRate))")
                Isolation.figure(test, "gateway RSS: \(baseline / 1024) MB before the backlog (max of \(before.count) samples), peak \(peak / 1024) MB while it waits (\(after.count) samples), growth \((peak - baseline) / 1024) MB; peak while the router moved the burst \((routing.max() ?? 0) / 1024) MB")

                #expect(routed < routingDeadline, "the router had not moved the burst after 90 s")
                #expect(!before.isEmpty && !after.isEmpty, "no memory samples")
                #expect(peak - baseline <= 20 * 1024, "RSS grew by \((peak - baseline) / 1024) MB with the backlog")
                #expect(off.count == 0, "\(off.count) of the 99 outside ±5 % of \(rate)/s, e.g. \(off.prefix(5).map { "\($0.org.tenant): \(Isolation.describe($0.figures.rate, target: rate)), \($0.figures.count) sent" })")
                #expect((Isolation.deviation(whaleFigures.rate, from: whaleRate) ?? 1) <= 0.05, "whale at \(Isolation.describe(whaleFigures.rate, target: whaleRate))")
            } catch {
                await finish()
                throw error
            }
        }
    }
}
