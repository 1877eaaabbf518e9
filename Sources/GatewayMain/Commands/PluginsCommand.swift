import ArgumentParser
import Logging
import PluginHost

/// `genesys-gateway plugins`: list the plugins that load and what each handles; refused ones are listed too.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", abstract: "List loaded plugins, their ABI versions and what each handles.")

    @OptionGroup var logging: LoggingOptions

    @OptionGroup var options: PluginsOptions

    func run() async throws {
        try logging.bootstrap()
        let registry = PluginLoader(logger: Logger(label: "genesys-gateway.plugins")).load(directory: options.pluginsDir)
        print("Plugins from \(options.pluginsDir) (host ABI \(PluginABI.major).\(PluginABI.minor)):")
        PluginTable(plugins: registry.plugins).rows.forEach { print("  " + $0) }
        if !registry.errors.isEmpty {
            print("Refused:")
            registry.errors.forEach { print("  \($0)") }
        }
        if registry.plugins.isEmpty { throw ExitCode(1) }
    }
}
