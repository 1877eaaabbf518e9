import ArgumentParser
import Logging
import UnixSignals

/// `genesys-gateway run`: load plugins and tenants, then serve until SIGTERM or SIGINT.
///
/// Tenants with errors are reported and left out; the gateway starts as long as one tenant is valid, so
/// one broken file never takes the others down.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Start the gateway on the configured tenants and plugins.")

    @OptionGroup var sources: SourceOptions

    func run() async throws {
        let logger = Logger(label: "genesys-gateway")
        let configuration = GatewayConfiguration.load(
            configDirectory: sources.configDir, pluginsDirectory: sources.pluginsDir, logger: logger)
        for error in configuration.pluginErrors {
            logger.error("plugin refused", metadata: ["error": "\(error)"])
        }
        for error in configuration.configErrors {
            logger.error("tenant config error", metadata: ["error": "\(error)"])
        }
        guard !configuration.tenants.isEmpty else {
            logger.critical("no valid tenant to serve", metadata: ["config.dir": "\(sources.configDir)"])
            throw ExitCode(1)
        }
        logger.info(
            "gateway started",
            metadata: [
                "tenants": "\(configuration.tenants.map(\.id).joined(separator: ","))",
                "plugins": "\(configuration.plugins.plugins.map(\.name).joined(separator: ","))",
            ])
        for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
            logger.info("shutting down", metadata: ["signal": "\(signal)"])
            break
        }
    }
}
