public import ArgumentParser

/// `genesys-gateway`: the gateway's command line.
public struct GatewayCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "genesys-gateway",
        abstract: "Multi-tenant gateway from a messaging platform to Genesys Cloud Open Messaging.",
        subcommands: [CheckConfigCommand.self, PluginsCommand.self, RunCommand.self, PublishCommand.self, ReplayCommand.self])

    public init() {}
}

/// Where configs and plugins are read from; shared by the subcommands.
struct SourceOptions: ParsableArguments {
    @Option(help: "Directory of tenant YAML files (env GGW_CONFIG_DIR).")
    var configDir: String = GatewayEnvironment.value("GGW_CONFIG_DIR") ?? "TenantConfigs"

    @Option(help: "Directory of plugin .so files (env GGW_PLUGINS_DIR).")
    var pluginsDir: String = GatewayEnvironment.value("GGW_PLUGINS_DIR") ?? ".build/plugins"
}

struct PluginsOptions: ParsableArguments {
    @Option(help: "Directory of plugin .so files (env GGW_PLUGINS_DIR).")
    var pluginsDir: String = GatewayEnvironment.value("GGW_PLUGINS_DIR") ?? ".build/plugins"
}
