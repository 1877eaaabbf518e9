public import ArgumentParser
import Foundation
import GatewayConfig

/// `genesys-gateway`: the gateway's command line.
public struct GatewayCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "genesys-gateway",
        abstract: "Multi-tenant gateway from a messaging platform to Genesys Cloud Open Messaging.",
        subcommands: [CheckConfigCommand.self, PluginsCommand.self, RunCommand.self, PublishCommand.self, ReplayCommand.self])

    public init() {}
}

/// Where configs and plugins are read from, and what the configs may name; shared by the subcommands.
struct SourceOptions: ParsableArguments {
    @Option(
        name: .customLong("allow-genesys-host"),
        help: "A host orgs may name in apiBaseURL/loginBaseURL besides Genesys Cloud's regions: a name, an IP address or *.domain; repeatable (env GGW_ALLOW_GENESYS_HOSTS, comma-separated, adds to these).")
    var allowedGenesysHosts: [String] = []

    @Option(help: "Directory of tenant YAML files (env GGW_CONFIG_DIR).")
    var configDir: String = GatewayEnvironment.value("GGW_CONFIG_DIR") ?? "TenantConfigs"

    @Option(help: "Directory of plugin .so files (env GGW_PLUGINS_DIR).")
    var pluginsDir: String = GatewayEnvironment.value("GGW_PLUGINS_DIR") ?? ".build/plugins"

    /// The hosts orgs may send to: the regions', and those allowed here or in the environment.
    var genesysHosts: GenesysHostPolicy {
        get throws {
            let fromEnvironment = (GatewayEnvironment.value("GGW_ALLOW_GENESYS_HOSTS") ?? "")
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            do throws(GenesysHostPolicyError) {
                return try GenesysHostPolicy(allowing: allowedGenesysHosts + fromEnvironment)
            } catch {
                throw ValidationError("--allow-genesys-host / GGW_ALLOW_GENESYS_HOSTS: \(error)")
            }
        }
    }
}

struct PluginsOptions: ParsableArguments {
    @Option(help: "Directory of plugin .so files (env GGW_PLUGINS_DIR).")
    var pluginsDir: String = GatewayEnvironment.value("GGW_PLUGINS_DIR") ?? ".build/plugins"
}
