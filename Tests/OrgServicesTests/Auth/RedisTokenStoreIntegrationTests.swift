import RedisTestSupport
import Foundation
import GatewayTestSupport
import Logging
import RedisClient
import Testing
@testable import GatewayCore
@testable import OrgServices

/// The cluster-wide token against the real test server: two stores of one org stand in for two replicas,
/// with a scripted login host that counts token requests and numbers the tokens it issues.
@Suite(.timeLimit(.minutes(1))) struct RedisTokenStoreIntegrationTests {
    let logger = Logger(label: "redis-token-store-tests") { _ in SwiftLogNoOpLogHandler() }
    /// One org per test: the tests run in parallel against one server.
    let org = OrgKey(tenantID: "test", orgName: UUID().uuidString)
    let credentials = OAuthTokenStore.Credentials(
        loginBaseURL: "http://login.test", clientID: Secret("client"), clientSecret: Secret("s3cret"),
        connectTimeout: .seconds(1), totalTimeout: .seconds(5))

    /// A login host issuing `t1`, `t2`, … (each after `gate`, when given).
    func loginHost(gate: Gate? = nil) -> ScriptedHTTPClient {
        let issued = Collected<Int>()
        return ScriptedHTTPClient { _ in
            await gate?.wait()
            issued.append(1)
            return OAuthTokenStoreTests.tokenResponse("t\(issued.all.count)", expiresIn: 3600)
        }
    }

    func store(
        _ http: ScriptedHTTPClient, client: RedisClient, replica: String, lease: Duration? = nil,
        credentials: OAuthTokenStore.Credentials? = nil
    ) -> RedisTokenStore {
        let clock = SystemClock()
        let credentials = credentials ?? self.credentials
        return RedisTokenStore(
            org: org, credentials: credentials, http: http, client: client, replicaID: replica,
            fallback: OAuthTokenStore(org: org, credentials: credentials, http: http, clock: clock, logger: logger),
            clock: clock, logger: logger, lease: lease, pollInterval: .milliseconds(10))
    }

    /// The login host answers only once the other store is seen waiting for the lock: both contend for certain.
    @Test func twoReplicasShareOneTokenRequest() async throws {
        let gate = Gate()
        let http = loginHost(gate: gate)
        let clients = [try GatewayTestRedis.client(logger: logger), try GatewayTestRedis.client(logger: logger)]
        let stores = [store(http, client: clients[0], replica: "a"), store(http, client: clients[1], replica: "b")]
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<100 { group.addTask { try await stores[index % 2].token().value.reveal() } }
            while http.requests.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            // One store holds the lock and waits for the login host. The other has read (GET, PTTL), failed to take
            // the lock (SET NX) and read again (GET, PTTL) once its client has had 5 commands answered: it polls.
            let holder = try #require(
                try await GatewayTestRedis.client(logger: logger).send("GET", RedisTokenStore.lockKey(for: org, credentials: credentials)).string,
                "the login host was asked, but nobody holds the lock")
            let waiting = holder.hasPrefix("a/") ? 1 : 0
            let deadline = ContinuousClock.now + .seconds(5)
            while clients[waiting].statistics.commands < 5, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            try #require(
                clients[waiting].statistics.commands >= 5,
                "store \(waiting == 0 ? "a" : "b") is not waiting for the lock \(holder) holds: \(clients[waiting].statistics.commands) commands")
            #expect(http.requests.count == 1, "both stores asked the login host")
            gate.open()
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(values.count == 100 && values.allSatisfy { $0 == "t1" })
        #expect(http.requests.count == 1)
        #expect(await stores[0].renewals + stores[1].renewals == 1)
    }

    @Test func aRefusedTokenIsRenewedOnceForEveryReplica() async throws {
        let http = loginHost()
        let a = store(http, client: try GatewayTestRedis.client(logger: logger), replica: "a")
        let b = store(http, client: try GatewayTestRedis.client(logger: logger), replica: "b")
        let first = try await a.token()
        #expect(try await b.token().value == first.value)
        // Genesys refuses t1 on A: A drops it for everybody and renews.
        await a.invalidate(first)
        #expect(try await a.token().value.reveal() == "t2")
        // B's next call with t1 is refused too: t2 is already stored, so B only reads it.
        await b.invalidate(first)
        #expect(try await b.token().value.reveal() == "t2")
        #expect(http.requests.count == 2)
    }

    @Test func aDeadHoldersLeaseRunsOutAndAnotherReplicaRenews() async throws {
        let http = loginHost()
        let client = try GatewayTestRedis.client(logger: logger)
        // A replica took the lock and died before storing a token: its lease holds for 400 ms.
        let taken = try await client.send("SET", RedisTokenStore.lockKey(for: org, credentials: credentials), "dead-replica/1", "NX", "PX", 400)
        #expect(taken.string == "OK")
        let started = ContinuousClock.now
        let token = try await store(http, client: client, replica: "b").token()
        let waited = ContinuousClock.now - started
        #expect(token.value.reveal() == "t1")
        #expect(http.requests.count == 1)
        #expect(waited >= .milliseconds(300) && waited < .seconds(3), "waited \(waited)")
        // The lock is released after the renewal, and the token stored with its TTL (lifetime minus a margin).
        #expect(try await client.send("EXISTS", RedisTokenStore.lockKey(for: org, credentials: credentials)).integer == 0)
        let ttl = try #require(try await client.send("PTTL", RedisTokenStore.key(for: org, credentials: credentials)).integer)
        #expect(ttl > 3_000_000 && ttl <= 3_540_000)
    }

    /// Issue 25: the org's OAuth client changed (a config reload, or a replica started with the new config): the
    /// old client's token, still stored for a day, is not the new client's.
    @Test func aTokenOfTheOrgsFormerClientIsNotUsedByItsNewOne() async throws {
        let http = loginHost()
        let client = try GatewayTestRedis.client(logger: logger)
        #expect(try await store(http, client: client, replica: "a").token().value.reveal() == "t1")
        var changed = credentials
        changed.clientID = Secret("another-client")
        #expect(try await store(http, client: client, replica: "b", credentials: changed).token().value.reveal() == "t2")
        #expect(http.requests.count == 2)
        // The same client again (another replica, an unchanged config) shares the stored token, whatever its secret.
        changed.clientSecret = Secret("rotated")
        #expect(try await store(http, client: client, replica: "c", credentials: changed).token().value.reveal() == "t2")
        #expect(http.requests.count == 2)
    }

    @Test func withRedisUnreachableTheReplicasOwnStoreServes() async throws {
        let http = loginHost()
        let unreachable = try GatewayTestRedis.client(url: RedisURL(host: "127.0.0.1", port: 1), logger: logger)
        let store = store(http, client: unreachable, replica: "a")
        #expect(try await store.token().value.reveal() == "t1")
        #expect(try await store.token().value.reveal() == "t1")
        #expect(http.requests.count == 1)
        #expect(await store.renewals == 1)
    }
}
