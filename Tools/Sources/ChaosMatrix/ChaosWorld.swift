import Foundation
import GatewayTestSupport
import GenesysSandbox
import Logging

/// Everything the faults act on besides the gateway: the matrix's own RabbitMQ, an in-process sandbox
/// (whose faults and received messages the matrix controls and reads), the tenant files and the plugins.
struct ChaosWorld: Sendable {
    let orgs: [SandboxTenant]
    /// Offered messages per second per org.
    let rate: Int
    let broker: Broker
    let sandbox: RunningSandbox
    let configDirectory: String
    let pluginsDirectory: String
    let environment: [String: String]
    let gatewayBinary: String
    let runDirectory: String
    let logger: Logger

    /// Starts the sandbox, writes one tenant file per org, stages the shipped plugins, runs `body`.
    ///
    /// Each org may send at three times the offered rate, so a backlog built up during a fault drains
    /// within the run; retries last long enough (10 minutes) that no fault of the matrix can exhaust them.
    static func with<Result: Sendable>(
        orgCount: Int, rate: Int, broker: Broker, runDirectory: String, logger: Logger,
        _ body: (ChaosWorld) async throws -> Result
    ) async throws -> Result {
        let orgs = (0..<orgCount).map { SandboxTenant(prefix: "chaos", index: $0) }
        let configuration = SandboxConfiguration(
            host: "127.0.0.1", port: 0, orgs: orgs.map { $0.sandboxOrg(tokenLifetimeSeconds: 3_600) })
        return try await SandboxServer.withRunning(configuration, logger: logger) { sandbox in
            let configs = TemporaryDirectory()
            let retry = TenantYAML.Retry(
                maxAttempts: 100, baseDelayMs: 500, maxDelayMs: 5_000, retryAfterCapSeconds: 10, maxRetryDurationSeconds: 600)
            for org in orgs {
                configs.write("\(org.tenant).yaml", org.tenantYAML(baseURL: sandbox.baseURL, rate: Double(rate * 3), burst: rate, retry: retry))
            }
            let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
            var environment = Dictionary(uniqueKeysWithValues: orgs.map { ($0.secretVariable, $0.secret) })
            // Single-process mode whatever the caller's shell exports.
            environment["GGW_REDIS_URL"] = ""
            let world = ChaosWorld(
                orgs: orgs, rate: rate, broker: broker, sandbox: sandbox, configDirectory: configs.path,
                pluginsDirectory: plugins.path, environment: environment,
                gatewayBinary: (BuiltPlugins.buildDirectory as NSString).appendingPathComponent("genesys-gateway"),
                runDirectory: runDirectory, logger: logger)
            let result = try await body(world)
            withExtendedLifetime((configs, plugins)) {}
            return result
        }
    }
}
