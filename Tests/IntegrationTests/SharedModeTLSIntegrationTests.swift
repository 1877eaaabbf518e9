import Foundation
import GatewayTestSupport
import OrgServices
import RedisClient
import RedisTestSupport
import Testing

/// Shared mode over `rediss://` (issue 25): replicas as their own processes reach the test command's redis-server on
/// its TLS port with mutual TLS and an ACL user, and deliver as over plain TCP; a replica refuses to start on a
/// Redis older than 7.0.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SharedModeTLSIntegrationTests {
    static let passwordVariable = "GGW_TEST_REDIS_TLS_PASSWORD"

    /// 200 messages of 20 conversations through 2 replicas whose Redis is `rediss://user@localhost:TLS_PORT` with a
    /// client certificate: each delivered once and in order, both replicas connected over TLS as that user.
    @Test func twoReplicasDeliverOverMutualTLSAsAnACLUser() async throws {
        let test = "shared-tls"
        let org = TestOrg(tenant: SharedModeReplicaIntegrationTests.tenant("tls"), name: "main", rate: 100, burst: 10)
        guard let tlsText = ProcessInfo.processInfo.environment["GGW_REDIS_TLS_URL"],
            let certificates = ProcessInfo.processInfo.environment["GGW_REDIS_TLS_CERTS"]
        else {
            throw GatewayHarness.HarnessError(message: "GGW_REDIS_TLS_URL/GGW_REDIS_TLS_CERTS are not set: run under scripts/with-redis.sh")
        }
        let tlsPort = try RedisURL(parsing: tlsText).port
        let admin = try GatewayTestRedis.client(logger: .quiet("redis-admin"))
        let user = "gateway-\(UUID().uuidString.prefix(8).lowercased())"
        let password = "pw-\(UUID().uuidString)"
        #expect(try await admin.send("ACL", "SETUSER", user, "on", ">\(password)", "~*", "&*", "+@all") == .status("OK"))
        let redisURL = "rediss://\(user)@localhost:\(tlsPort)/0?ssl_ca_certs=\(certificates)/ca.pem"
            + "&ssl_certfile=\(certificates)/client.pem&ssl_keyfile=\(certificates)/client-key.pem"
        let customers = 20, perCustomer = 10, total = customers * perCustomer
        var failure: (any Error)?
        do {
            try await SharedModeReplicaIntegrationTests.withReplicas(
                test, count: 2, orgs: [org], redisURL: redisURL, extraArguments: ["--redis-password", "env:\(Self.passwordVariable)"],
                prepare: { $0.environment[Self.passwordVariable] = password }
            ) { run in
                let started = Date()
                try await run.publisher.publishRounds((0..<perCustomer).map { sequence in
                    (0..<customers).map { GatewayHarness.textMessage(id: "t-\($0)-\(sequence)", org: org, customer: "t-c\($0)", text: "\(sequence)") }
                }, to: run.topology.outbound)
                let delivered = await Isolation.eventually(timeout: .seconds(60)) {
                    Set(run.received([org]).compactMap(\.channelMessageId)).count >= total
                }
                let received = run.received([org])
                let ids = received.compactMap(\.channelMessageId)
                // Who is connected, as Redis sees it: the replicas' named connections, their user and local port.
                let clients = (try await admin.send("CLIENT", "LIST").string ?? "").split(whereSeparator: \.isNewline)
                    .filter { line in run.cluster.ids.contains { line.contains(" name=genesys-gateway/\($0) ") } }
                let states = [await run.cluster.redisState(of: 0), await run.cluster.redisState(of: 1)]
                Isolation.figure(test, "\(Set(ids).count) of \(total) in \(Isolation.seconds(Date().timeIntervalSince(started))) over rediss:// (mutual TLS, ACL user); \(clients.count) replica connections; /ready redis \(states)")
                #expect(delivered, "only \(Set(ids).count) of \(total) within 60 s; logs \(run.cluster.replicas.map(\.logPath))")
                #expect(Isolation.duplicates(ids) == 0)
                #expect(Isolation.outOfOrder(received).isEmpty)
                #expect(states == ["connected", "connected"], "logs \(run.cluster.replicas.map(\.logPath))")
                #expect(clients.count == 2, "\(clients)")
                #expect(clients.allSatisfy { $0.contains(" laddr=127.0.0.1:\(tlsPort) ") && $0.contains(" user=\(user) ") }, "\(clients)")
                // The org's state went to Redis over that connection.
                let tokenKeys = (try await admin.send("KEYS", RedisTokenStore.keyPrefix(for: org.key) + "*").array ?? [])
                    .compactMap(\.string).filter { !$0.hasSuffix(":lock") }
                #expect(tokenKeys.count == 1, "the org's token keys: \(tokenKeys)")
            }
        } catch {
            failure = error
        }
        _ = try? await admin.send("ACL", "DELUSER", user)
        await admin.shutdown()
        if let failure { throw failure }
    }

    /// `SET … NX GET` needs Redis 7.0: a replica whose Redis says 6.2.14 exits at start, naming both.
    @Test func aReplicaRefusesToStartOnRedisOlderThanSeven() async throws {
        let stub = try RedisStubServer(replies: ["HELLO": RedisStubServer.hello(version: "6.2.14")])
        defer { stub.stop() }
        let org = TestOrg(tenant: SharedModeReplicaIntegrationTests.tenant("old"), name: "main")
        try await GatewayHarness.withSandbox(orgs: [org], logger: .quiet("old-redis")) { setup in
            let gateway = try IsolationGatewayProcess(
                setup: setup, url: try BrokerProbe.url, prefix: BrokerProbe.uniquePrefix("old-redis"),
                extraArguments: ["--redis-url", "redis://127.0.0.1:\(stub.url.port)/0", "--replica-id", "old-redis"])
            let exited = await Isolation.eventually(timeout: .seconds(30)) { !gateway.process.isRunning }
            let log = gateway.logTail(40)
            await gateway.stop()
            #expect(exited, "still running against Redis 6.2.14: \(log)")
            #expect(gateway.process.terminationStatus != 0)
            #expect(log.contains("shared mode needs Redis 7.0.0 or newer") && log.contains("6.2.14"), "\(log)")
            #expect(log.contains("127.0.0.1:\(stub.url.port)"), "\(log)")
        }
    }
}
