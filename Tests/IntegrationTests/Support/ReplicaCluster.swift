import Foundation
import GatewayTestSupport
@testable import GatewayCore
@testable import CurlHTTP

/// Several `genesys-gateway run --redis-url` processes (``IsolationGatewayProcess``) acting as one gateway, for
/// the shared-mode replica tests (issue 12). Everything goes through their command lines and documented HTTP API.
final class ReplicaCluster: @unchecked Sendable {
    // Touched only by the test's own task.
    private(set) var replicas: [IsolationGatewayProcess] = []
    let ids: [String]
    /// For requests the processes' own client cannot make (a webhook's signature header, no bearer key).
    private let http = CurlHTTPClient()

    /// Starts `count` replicas named `<name>-<index>` against `redisURL`, and waits until every one is ready and the
    /// org placement settled (over these and the `alreadyRunning` replicas of the same gateway).
    /// - Throws: when a replica is not ready within 30 s (its log tail is in the error).
    init(
        _ name: String, count: Int, setup: GatewayHarness.SandboxSetup, url: String, prefix: String, redisURL: String,
        extraArguments: [String] = [], alreadyRunning: Int = 0
    ) async throws {
        ids = (0..<count).map { "\(name)-\($0)" }
        do {
            for id in ids {
                replicas.append(try IsolationGatewayProcess(
                    setup: setup, url: url, prefix: prefix,
                    extraArguments: ["--redis-url", redisURL, "--replica-id", id, "--shutdown-timeout", "2"] + extraArguments))
            }
            for replica in replicas where !(await replica.waitUntilReady()) {
                throw GatewayHarness.HarnessError(message: "replica not ready within 30 s; log \(replica.logPath):\n\(replica.logTail())")
            }
            guard await waitUntilPlaced(among: count + alreadyRunning) else {
                throw GatewayHarness.HarnessError(message: "the replicas did not settle their org placement within 30 s")
            }
        } catch {
            await stop()
            throw error
        }
    }

    subscript(index: Int) -> IsolationGatewayProcess { replicas[index] }

    /// Stops every replica still running (SIGTERM, then SIGKILL) and the HTTP client.
    func stop() async {
        for replica in replicas { await replica.stop() }
        await http.shutdown()
    }

    /// SIGKILL, no warning: the process cannot finish or hand back anything; its connections just drop.
    func kill(_ index: Int) async {
        _ = Foundation.kill(replicas[index].pid, SIGKILL)
        await replicas[index].stop()  // reaps it
    }

    /// What `GET /admin/replicas` on replica `index` lists: replica id → the orgs (`<tenant>/<org>`) it serves;
    /// nil when the answer is not 200 (Redis unreachable) or the replica does not answer.
    func listing(from index: Int) async -> [String: [String]]? {
        guard let response = try? await replicas[index].call("GET", "/admin/replicas"), response.status == 200,
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any],
            let records = object["replicas"] as? [[String: Any]]
        else { return nil }
        var listed: [String: [String]] = [:]
        for record in records {
            guard let id = record["id"] as? String else { continue }
            listed[id] = record["orgs"] as? [String] ?? []
        }
        return listed
    }

    /// Waits until every replica listed by `GET /admin/replicas` applies a placement of `count` replicas and hands
    /// no org over: the orgs are with the replicas they are placed on, before a test sends its traffic.
    func waitUntilPlaced(among count: Int, timeout: Duration = .seconds(30)) async -> Bool {
        await Isolation.eventually(timeout: timeout, interval: .milliseconds(250)) {
            guard let response = try? await self.replicas[0].call("GET", "/admin/replicas"), response.status == 200,
                let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any],
                let records = object["replicas"] as? [[String: Any]], records.count == count
            else { return false }
            return records.allSatisfy { ($0["placedAmong"] as? Int) == count && (($0["handingOver"] as? [String]) ?? []).isEmpty }
        }
    }

    /// The replicas whose heartbeat lists `org` as served, in `listing`.
    static func servers(of org: TestOrg, in listing: [String: [String]]) -> [String] {
        listing.filter { $0.value.contains("\(org.tenant)/\(org.name)") }.keys.sorted()
    }

    /// `"redis"` of replica `index`'s `/ready` answer (`connected` / `disconnected`), nil if it does not answer.
    func redisState(of index: Int) async -> String? {
        guard let response = try? await replicas[index].call("GET", "/ready") else { return nil }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        return object?["redis"] as? String
    }

    /// One request to replica `index` with exactly `headers` (no bearer key added).
    func post(_ index: Int, _ path: String, body: [UInt8], headers: [(String, String)]) async throws -> HTTPResponse {
        try await http.execute(HTTPRequest(
            method: "POST", url: "http://127.0.0.1:\(replicas[index].apiPort)\(path)",
            headers: headers + [("Content-Type", "application/json")], body: body,
            connectTimeout: .seconds(2), totalTimeout: .seconds(15)))
    }
}

/// A redis-server of one test's own (scripts/redis.sh, no persistence), for tests that stop and start it: the
/// test command's Redis is shared by the other tests.
struct PrivateRedis {
    let port: Int
    let runDirectory: String

    var url: String { "redis://127.0.0.1:\(port)/0" }
    private var environment: [String: String] { ["GGW_REDIS_PORT": "\(port)", "GGW_RUN_DIR": runDirectory] }

    /// Starts one on a random port of 6420–6619 (another one if that port is taken).
    static func start() throws -> PrivateRedis {
        var failures: [String] = []
        for _ in 0..<5 {
            let redis = PrivateRedis(port: Int.random(in: 6420...6619), runDirectory: TemporaryDirectory.fresh())
            do {
                try redis.start()
                return redis
            } catch {
                failures.append("\(error)")
            }
        }
        throw GatewayHarness.HarnessError(message: "no private redis-server started: \(failures)")
    }

    /// Starts it (again); returns once it answers PING.
    func start() throws {
        let result = try ScriptProcess.run(["bash", "scripts/redis.sh", "start"], environment: environment)
        guard result.status == 0 else { throw GatewayHarness.HarnessError(message: "redis start on \(port) failed: \(result.output)") }
    }

    /// Stops it (`shutdown nosave`: its keys are gone, as after a crash of a Redis without persistence).
    func stop() throws {
        let result = try ScriptProcess.run(["bash", "scripts/redis.sh", "stop"], environment: environment)
        guard result.status == 0 else { throw GatewayHarness.HarnessError(message: "redis stop on \(port) failed: \(result.output)") }
    }
}

extension Isolation {
    /// The most arrivals within any `window` (sliding, starting at an arrival) among sorted `times`, and when
    /// that window began.
    static func mostWithin(_ window: TimeInterval, _ times: [Date]) -> (count: Int, from: Date?) {
        var most = 0, from: Date?, first = 0
        for last in times.indices {
            while times[last].timeIntervalSince(times[first]) >= window { first += 1 }
            if last - first + 1 > most { (most, from) = (last - first + 1, times[first]) }
        }
        return (most, from)
    }

    /// Extra copies among message ids (0 when each came once).
    static func duplicates(_ ids: [String]) -> Int {
        ids.count - Set(ids).count
    }
}
