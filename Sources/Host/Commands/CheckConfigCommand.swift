import ArgumentParser
import Logging

/// `genesys-gateway check-config`: load and validate every tenant file and plugin; exit 1 listing every error.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate every tenant file and plugin; print a summary, or every error and exit 1.")

    @OptionGroup var sources: SourceOptions

    func run() async throws {
        let configuration = GatewayConfiguration.load(
            configDirectory: sources.configDir, pluginsDirectory: sources.pluginsDir,
            logger: Logger(label: "genesys-gateway.check-config"))
        print(ConfigSummary(configuration: configuration, sources: sources).text)
        guard configuration.isValid else { throw ExitCode(1) }
    }
}

/// The human-readable report `check-config` prints.
struct ConfigSummary {
    let configuration: GatewayConfiguration
    let sources: SourceOptions

    var text: String {
        var lines = ["Plugins from \(sources.pluginsDir): \(configuration.plugins.plugins.count) loaded"]
        lines += PluginTable(plugins: configuration.plugins.plugins).rows.map { "  " + $0 }
        lines.append("Tenants from \(sources.configDir): \(configuration.tenants.count) valid of \(configuration.tenantFiles.count) files")
        for tenant in configuration.tenants {
            let state = tenant.enabled ? "enabled" : "disabled"
            lines.append("  \(tenant.id) (\(tenant.displayName), \(state))")
            for org in tenant.orgs {
                let marker = org.name == tenant.defaultOrg?.name ? " [default]" : ""
                lines.append("    org \(org.name)\(marker): \(org.endpoints.apiBaseURL), types \(org.messageTypes.map(\.value).joined(separator: ", ")), policy \(org.errorPolicy.value), \(Self.format(org.rateLimit.messagesPerSecond))/s burst \(org.rateLimit.burst)")
            }
        }
        let errorLines = configuration.pluginErrors.map(\.description) + configuration.configErrors.map(\.description)
        if errorLines.isEmpty {
            lines.append("OK")
        } else {
            lines.append("\(errorLines.count) error\(errorLines.count == 1 ? "" : "s"):")
            lines += errorLines
        }
        return lines.joined(separator: "\n")
    }

    private static func format(_ rate: Double) -> String {
        rate == rate.rounded() ? String(Int64(saturating: rate)) : String(rate)
    }
}
