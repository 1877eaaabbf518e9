import Foundation
import GatewayTestSupport
import RedisClient
import RedisTestSupport
import Testing
@testable import AMQPTransport
@testable import GatewayApp
@testable import GatewayCore
@testable import OrgServices
@testable import QueuePipeline

/// What a delivered message costs Redis in shared mode, on the real queue path: the whole gateway
/// (`GatewayServices` as `run --redis-url` starts it: consumer, `MessageProcessor`, `DeliveryService`, the shared
/// stores, limiter, token and heartbeat) against RabbitMQ, the sandbox and a redis-server of the test's own, so a
/// command added anywhere on that path is counted. Counted, never timed. The figures are in docs/shared-mode.md.
///
/// `INFO commandstats` counts every command the server ran, those a script runs included; `redis-cli monitor` on
/// the same server says which command was for what — the message's own keys, the org's limiter, or what runs on
/// a clock whatever the traffic (heartbeat, token re-read, org release) — and must account for every command
/// `INFO` counted.
@Suite(.timeLimit(.minutes(2))) struct SharedCommandCostIntegrationTests {
    /// Rate and burst far above what the test sends: no message waits for its slot (a wait adds a limiter call).
    static let org = TestOrg(tenant: "cost", name: "main", rate: 1000, burst: 1000)
    static let messages = 100

    /// What a call was for, by its key.
    enum Purpose: String, CaseIterable {
        /// The message's own keys: receipt, status history, conversation owner.
        case stores
        /// The org's limiter script.
        case limiter
        /// Heartbeat, token re-read, org release and connection set-up: on a clock, not per message.
        case background
        /// The test's own `INFO`.
        case counting
    }

    /// One command a client sent, with the commands a script it ran ran.
    struct Call {
        var sent: RedisMonitor.Line
        var ran: [RedisMonitor.Line] = []
        var all: [RedisMonitor.Line] { [sent] + ran }
    }

    static func purpose(of call: Call) -> Purpose {
        let arguments = call.sent.arguments
        let key: String
        switch call.sent.command {
        case "info": return .counting
        case "evalsha", "eval": key = arguments.count > 3 && arguments[2] != "0" ? arguments[3] : ""
        case "scan": key = arguments.firstIndex { $0.uppercased() == "MATCH" }.flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil } ?? ""
        default: key = arguments.count > 1 ? arguments[1] : ""
        }
        let orgKey = org.key
        if key == RedisRateLimiter.key(tenant: orgKey.tenantID, org: orgKey.orgName) { return .limiter }
        if key.hasPrefix("ggw:{replicas}:") || key.hasPrefix(OrgHandover.keyPrefix)
            || key.hasPrefix(RedisTokenStore.keyPrefix(for: orgKey)) || key.isEmpty
        {
            return .background
        }
        return .stores
    }

    /// Commands by name, as `INFO commandstats` counts them.
    static func byCommand(_ lines: [RedisMonitor.Line]) -> [String: Int] {
        Dictionary(lines.map { ($0.command, 1) }, uniquingKeysWith: +)
    }

    @Test func aDeliveredMessageCostsSixCommandsAndTenCountedByRedis() async throws {
        let server = try PrivateRedisServer()
        let counter = RedisClient(configuration: RedisConfiguration(url: server.url), logger: .quiet("redis-cost"))
        let monitor = try RedisMonitor(url: server.url)
        defer { monitor.stop() }
        let org = Self.org, messages = Self.messages
        try await PipelineHarness.run(
            "redis-cost", orgs: [org], shared: SharedModeSettings(url: server.url, replicaID: "cost-0")
        ) { pipeline, _ in
            var events: [StatusEvent] = []
            func allSent(_ ids: [String]) async throws -> Bool {
                try await pipeline.eventually {
                    events += try pipeline.probe.statusEvents(pipeline.statusCapture)
                    return Set(ids).isSubset(of: events.filter { $0.status == .sent }.compactMap(\.messageId))
                }
            }
            // The first message loads the scripts (NOSCRIPT, then EVAL), logs in and places the org: once per start.
            try await pipeline.publish([GatewayHarness.textMessage(id: "warm-up", org: org, customer: "c-warm-up")])
            try #require(try await allSent(["warm-up"]), "the warm-up message was not sent")

            let ids = (0..<messages).map { "m-\($0)" }
            let before = try await counter.commandCalls()
            let started = ContinuousClock.now
            try await pipeline.publish(ids.map { GatewayHarness.textMessage(id: $0, org: org, customer: "c-\($0)") })
            // A message's `sent` event reaches RabbitMQ after its Redis writes (the status sinks run in turn, RabbitMQ's last).
            try #require(try await allSent(ids), "not every message was sent within 30 s")
            let after = try await counter.commandCalls()
            let seconds = (ContinuousClock.now - started).seconds
            #expect(pipeline.sandbox.control.received(integrationId: org.integrationID).count == messages + 1)

            // The commands between the two INFOs (the first included: the second snapshot counts it), by call.
            let isCount = { (line: RedisMonitor.Line) in !line.fromScript && line.arguments.map { $0.lowercased() } == ["info", "commandstats"] }
            let lines = try await monitor.lines { $0.filter(isCount).count >= 2 }
            let first = try #require(lines.firstIndex(where: isCount), "redis-cli monitor did not see the first INFO")
            let second = try #require(lines[(first + 1)...].firstIndex(where: isCount), "redis-cli monitor did not see the second INFO")
            var calls: [Call] = []
            for line in lines[first..<second] {
                if line.fromScript, !calls.isEmpty { calls[calls.count - 1].ran.append(line) } else { calls.append(Call(sent: line)) }
            }
            let counted = after.merging(before) { $0 - $1 }.filter { $0.value != 0 }
            #expect(Self.byCommand(calls.flatMap(\.all)) == counted, "redis-cli monitor and INFO commandstats disagree")

            let grouped = Dictionary(grouping: calls, by: Self.purpose)
            let stores = grouped[.stores] ?? [], limiter = grouped[.limiter] ?? [], background = grouped[.background] ?? []
            Isolation.figure(
                "redis-cost",
                "\(messages) messages in \(Isolation.seconds(seconds)): stores \(stores.count) sent, \(Self.byCommand(stores.flatMap(\.all))) counted; limiter \(limiter.count) sent, \(Self.byCommand(limiter.flatMap(\.all))) counted; on a clock \(background.map { $0.sent.arguments.prefix(2).joined(separator: " ") })")

            // The shared stores, per message: GET (receipt check), SET NX GET (sending mark), SET (receipt), SET
            // (conversation owner), and per status event (`accepted`, `sent`) one EVALSHA running RPUSH and EXPIRE.
            #expect(stores.count == 6 * messages, "commands the replica sent per message for the stores: \(Double(stores.count) / Double(messages))")
            #expect(
                Self.byCommand(stores.flatMap(\.all)) == ["get": 1, "set": 3, "evalsha": 2, "rpush": 2, "expire": 2].mapValues { $0 * messages },
                "calls per command for \(messages) messages")
            // The limiter, per message whose slot was free: one EVALSHA running TIME, HMGET, HSET and PEXPIRE.
            #expect(limiter.count == messages, "limiter calls per message: \(Double(limiter.count) / Double(messages))")
            #expect(
                Self.byCommand(limiter.flatMap(\.all)) == ["evalsha": 1, "time": 1, "hmget": 1, "hset": 1, "pexpire": 1].mapValues { $0 * messages })
            // What runs on a clock: a heartbeat (SET, SCAN) every 2 s, a token re-read (GET, PTTL) every 5 s. Bounded
            // by the window's length, so a command added per message on one of these keys is still seen.
            let clockBound = 2 * (Int(seconds.rounded(.up)) + 2)
            #expect(background.count <= clockBound, "\(background.count) calls on a clock in \(Isolation.seconds(seconds)) (at most \(clockBound))")
        }
        await counter.shutdown()
    }
}
