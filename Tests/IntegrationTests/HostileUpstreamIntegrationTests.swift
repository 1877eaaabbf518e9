import Foundation
import GatewayTestSupport
import Testing
@testable import Broker

/// Issue 25, "a hostile login/API host leaves every replica running with RSS under 150 MB": two shared-mode
/// replicas (their own processes, Redis and RabbitMQ real) serve one healthy org on the sandbox and six orgs on
/// ``HostileGenesys``: a token that claims to live 10^16 s (which killed every replica with SIGILL), a negative
/// lifetime, a login answer that is no JSON, a 300 MB answer, a garbage answer, and a 429 with a Retry-After of
/// 10^23 s and 5,000 headers. Both replicas must keep running, the healthy org must get all its messages, every
/// message answered 300 MB must be dead-lettered for it, and neither replica may ever have been resident above 150 MB.
@Suite(.serialized, .timeLimit(.minutes(4))) struct HostileUpstreamIntegrationTests {
    static let peakLimitKilobytes = 150_000

    @Test func twoReplicasSurviveEveryHostileAnswerWithTheirMemoryBounded() async throws {
        let tenant = SharedModeReplicaIntegrationTests.tenant("hostile")
        let retry = TenantYAML.Retry(maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 200, retryAfterCapSeconds: 10)
        func org(_ name: String) -> TestOrg { TestOrg(tenant: tenant, name: name, rate: 100, burst: 10, retry: retry) }
        let healthy = org("healthy")
        let eternal = org("eternal"), negative = org("negative"), loginGarbage = org("logingarbage")
        let huge = org("huge"), garbage = org("garbage"), flood = org("flood")
        let hostile = [eternal, negative, loginGarbage, huge, garbage, flood]
        let server = await HostileGenesys(
            logins: [eternal.clientID: .eternalToken, negative.clientID: .negativeLifetime, loginGarbage.clientID: .garbage],
            messages: [huge.integrationID: .hugeBody, garbage.integrationID: .garbage, flood.integrationID: .floodOfHeaders])
        var failure: (any Error)?
        do {
            try await SharedModeReplicaIntegrationTests.withReplicas(
                "hostile", count: 2, orgs: [healthy] + hostile, redisURL: try SharedModeRateTimingIntegrationTests.redisURL,
                prepare: { setup in
                    // The healthy org on the sandbox, every other one on the hostile host.
                    let text = TenantYAML(
                        id: tenant, apiKeys: [.env(healthy.apiKeyVariable)],
                        orgs: [healthy.yaml(isDefault: true, baseURL: setup.sandbox.baseURL)]
                            + hostile.map { $0.yaml(isDefault: false, baseURL: server.baseURL) }).text
                    try text.write(toFile: setup.configDirectory + "/\(tenant).yaml", atomically: true, encoding: .utf8)
                }
            ) { run in
                let perHostileOrg = 10, healthyCount = 50
                try await run.publisher.publishRounds(
                    [(0..<healthyCount).map { GatewayHarness.textMessage(id: "ok-\($0)", org: healthy, customer: "c\($0 % 5)") }]
                        + (0..<perHostileOrg).map { index in
                            hostile.map { GatewayHarness.textMessage(id: "\($0.name)-\(index)", org: $0, customer: "c\(index % 3)") }
                        },
                    to: run.topology.outbound)
                let delivered = await Isolation.eventually(timeout: .seconds(90)) {
                    Set(run.received([healthy]).compactMap(\.channelMessageId)).count >= healthyCount
                }
                // Every hostile answer was given at least once (the messages reached their orgs' sends).
                let answered = await Isolation.eventually(timeout: .seconds(60)) {
                    let served = server.served
                    return [eternal, negative, loginGarbage].allSatisfy { served.tokens[$0.clientID, default: 0] > 0 }
                        && [huge, garbage, flood].allSatisfy { served.messages[$0.integrationID, default: 0] > 0 }
                        && served.messages[eternal.integrationID, default: 0] >= perHostileOrg
                }
                // Each 300 MB answer fails its call once the first MiB is in (then a retry, then the dead-letter queue).
                var dead: [AMQPDelivery] = []
                let probe = BrokerProbe(url: run.url, topology: run.topology)
                let hugeDead = await Isolation.eventually(timeout: .seconds(60)) {
                    dead += (try? probe.drain(run.topology.deadLetterQueue)) ?? []
                    return dead.filter { $0.messageID?.hasPrefix("huge-") == true }.count >= perHostileOrg
                }
                try await Task.sleep(for: .seconds(2))  // what the last answers cost shows in the peak
                let served = server.served
                let peaks = run.cluster.replicas.map { $0.peakResidentKilobytes() }
                Isolation.figure(
                    "hostile",
                    "peak RSS \(peaks.map { $0.map { "\($0 / 1000) MB" } ?? "gone" }); tokens \(served.tokens.values.reduce(0, +)), "
                        + "messages \(served.messages.values.reduce(0, +)); \(dead.count) dead-lettered")
                let logs = run.cluster.replicas.map(\.logPath)
                let running = run.cluster.replicas.map(\.isRunning)
                #expect(running == [true, true], "a replica died; logs \(logs)")
                #expect(delivered, "the healthy org got \(Set(run.received([healthy]).compactMap(\.channelMessageId)).count) of \(healthyCount)")
                #expect(answered, "not every hostile answer was asked for: \(served.tokens) \(served.messages)")
                let hugeReasons = dead.filter { $0.messageID?.hasPrefix("huge-") == true }.compactMap { $0.headers[QueueHeaders.reason]?.stringValue }
                #expect(hugeDead && hugeReasons.allSatisfy { $0.contains("transport error") }, "\(hugeReasons)")
                // What the transport error was is in the replicas' logs: the body's limit, not a read of 300 MB.
                #expect(run.cluster.replicas.contains { $0.logTail(5_000).contains("larger than \(1 << 20) bytes") }, "logs \(logs)")
                for (index, peak) in peaks.enumerated() {
                    let kilobytes = try #require(peak, "replica \(index) is gone; log \(logs[index])")
                    #expect(kilobytes < Self.peakLimitKilobytes, "replica \(index) peaked at \(kilobytes) kB")
                }
            }
        } catch {
            failure = error
        }
        await server.stop()
        if let failure { throw failure }
    }
}
