import Foundation
import AMQPTransport
import Broker
import CurlHTTP
import GatewayTestSupport

/// The consumer of a phase as processes of their own — the gateway's replicas, or the baseline process
/// (``startBaseline(settings:directory:logDirectory:)``). Their CPU time and memory come from `/proc`, so
/// the figures are theirs alone — not the sandbox's or the publisher's.
struct MeasuredProcesses {
    /// What they are, as the report names them ("gateway processes", "baseline process").
    let label: String
    let processes: [GatewayProcess]

    /// The gateway as operators run it: `count` `genesys-gateway run` processes (replicas, sharing Redis when
    /// `redisURL` is given) on the benchmark's config (`orgs` orgs), plugins and queues. Waits until each answers `/ready`.
    static func startGateways(
        count: Int, orgs: Int, redisURL: String?, configDirectory: String, pluginsDirectory: String, environment: [String: String],
        url: String, topology: QueueTopology, prefetch: UInt16, inFlight: Int, statusEvents: String, logDirectory: String
    ) async throws -> MeasuredProcesses {
        let binary = (BuiltPlugins.buildDirectory as NSString).appendingPathComponent("genesys-gateway")
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        var processes: [GatewayProcess] = []
        for index in 0..<count {
            let apiPort = try FreePort.pick()
            let state = (logDirectory as NSString).appendingPathComponent("state-\(index)")
            var arguments = [
                binary, "run", "--config-dir", configDirectory, "--plugins-dir", pluginsDirectory, "--allow-genesys-host", "127.0.0.1",
                "--state-dir", state,
                "--amqp-url", url, "--queue-prefix", String(topology.outbound.dropLast(".outbound".count)),
                "--org-queue-type", topology.orgQueueType.rawValue, "--prefetch", String(prefetch),
                "--per-org-in-flight", String(inFlight), "--api-port", String(apiPort), "--status-events", statusEvents,
            ]
            if let redisURL { arguments += ["--redis-url", redisURL, "--replica-id", "bench-\(index)"] }
            // A single replica runs without Redis unless one is given: then it is the embedded default.
            let process = GatewayProcess(
                arguments: arguments, environment: environment.merging(["GGW_REDIS_URL": redisURL ?? ""]) { $1 },
                apiPort: apiPort, logPath: (logDirectory as NSString).appendingPathComponent("gateway-\(index).log"))
            try process.start()
            processes.append(process)
        }
        let http = CurlHTTPClient()
        var unready: GatewayProcess?
        // Starting takes longer the more tenants there are (their files, plugins and per-org set-up): 5,000 need
        // more than the 60 s that suit the usual 10-100.
        let readyTimeout = Duration.seconds(60) + .milliseconds(30 * orgs)
        for process in processes where !(await process.waitUntilReady(http: http, timeout: readyTimeout)) {
            unready = process
            break
        }
        await http.shutdown()
        if let unready {
            for started in processes { started.stop() }
            throw BenchError("a gateway replica never became ready:\n\(unready.logTail())")
        }
        return MeasuredProcesses(label: "gateway processes", processes: processes)
    }

    /// "RabbitMQ connection failed N times (last: ...)" from the processes' logs, nil when it never did: a broker
    /// limit (RabbitMQ's `channel_max`, 2,047 by default, against one channel per org queue) shows up here.
    func brokerConnectionFailures() -> String? {
        let failures = processes.flatMap { process in
            ((try? String(contentsOfFile: process.logPath, encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.contains("RabbitMQ connection failed") }
        }
        guard let last = failures.last else { return nil }
        return "\(label): RabbitMQ connection failed \(failures.count) times (last: \(last.prefix(400)))"
    }

    /// CPU seconds (user + system) of all processes so far.
    var cpuSeconds: Double { processes.compactMap { $0.usage()?.cpuSeconds }.reduce(0, +) }

    /// Each process's resident memory, MiB.
    var residentMiB: [Int] { processes.compactMap { $0.usage().map { $0.residentKiB / 1024 } } }

    func stop() {
        for process in processes { process.stop() }
    }
}
