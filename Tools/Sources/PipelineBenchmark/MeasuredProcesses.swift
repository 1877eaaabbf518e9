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
    /// `redisURL` is given) on the benchmark's config, plugins and queues. Waits until each answers `/ready`.
    static func startGateways(
        count: Int, redisURL: String?, configDirectory: String, pluginsDirectory: String, environment: [String: String],
        url: String, topology: QueueTopology, prefetch: UInt16, inFlight: Int, logDirectory: String
    ) async throws -> MeasuredProcesses {
        let binary = (BuiltPlugins.buildDirectory as NSString).appendingPathComponent("genesys-gateway")
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        var processes: [GatewayProcess] = []
        for index in 0..<count {
            let apiPort = try FreePort.pick()
            let state = (logDirectory as NSString).appendingPathComponent("state-\(index)")
            var arguments = [
                binary, "run", "--config-dir", configDirectory, "--plugins-dir", pluginsDirectory, "--state-dir", state,
                "--amqp-url", url, "--queue-prefix", String(topology.outbound.dropLast(".outbound".count)),
                "--org-queue-type", topology.orgQueueType.rawValue, "--prefetch", String(prefetch),
                "--per-org-in-flight", String(inFlight), "--api-port", String(apiPort),
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
        for process in processes where !(await process.waitUntilReady(http: http)) {
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

    /// CPU seconds (user + system) of all processes so far.
    var cpuSeconds: Double { processes.compactMap { $0.usage()?.cpuSeconds }.reduce(0, +) }

    /// Each process's resident memory, MiB.
    var residentMiB: [Int] { processes.compactMap { $0.usage().map { $0.residentKiB / 1024 } } }

    func stop() {
        for process in processes { process.stop() }
    }
}
