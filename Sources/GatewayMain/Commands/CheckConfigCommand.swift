import ArgumentParser
import CurlHTTP
import GatewayConfig
import GatewayCore
import Logging
import PluginHost

/// `genesys-gateway check-config`: load and validate every tenant file, the tenant service's tenants and every
/// plugin; exit 1 listing every error (a tenant service that cannot be read is one).

struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate every tenant file and plugin; print a summary, or every error and exit 1.")

    @OptionGroup var logging: LoggingOptions

    @OptionGroup var sources: SourceOptions
    @OptionGroup var tenantService: TenantServiceOptions
    @OptionGroup var httpTransport: HTTPTransportOptions

    func run() async throws {
        try logging.bootstrap()
        let genesysHosts = try sources.genesysHosts
        var service: ConfigSummary.TenantService?
        // Checked even without a tenant service: the same options must pass at `run`.
        let transport = try httpTransport.settings()
        if let settings = try tenantService.settings() {
            let http = CurlHTTPClient(maxConnectionsPerHost: 1, transport: transport)
            let source = TenantServiceSource(settings: settings, http: http)
            var failure: TenantServiceError?
            if case .failed(let error) = await source.fetch() { failure = error }
            await http.shutdown()
            service = ConfigSummary.TenantService(url: settings.displayURL, document: source.document, failure: failure)
        }
        let configuration = GatewayConfiguration.load(
            configDirectory: sources.configDir, pluginsDirectory: sources.pluginsDir, tenantService: service?.document,
            genesysHosts: genesysHosts, logger: Logger(label: "genesys-gateway.check-config"))
        print(ConfigSummary(configuration: configuration, sources: sources, tenantService: service).text)
        guard configuration.isValid, service?.failure == nil else { throw ExitCode(1) }
    }
}

/// The human-readable report `check-config` prints.
struct ConfigSummary {
    /// What the tenant service gave, when there is one.
    struct TenantService {
        var url: String
        var document: TenantServiceDocument?
        var failure: TenantServiceError?
    }

    let configuration: GatewayConfiguration
    let sources: SourceOptions
    var tenantService: TenantService?

    var text: String {
        var lines = ["Plugins from \(sources.pluginsDir): \(configuration.plugins.plugins.count) loaded"]
        lines += PluginTable(plugins: configuration.plugins.plugins).rows.map { "  " + $0 }
        let fromFiles = configuration.tenants.filter { $0.source.origin == .file }.count
        lines.append("Tenants from \(sources.configDir): \(fromFiles) valid of \(configuration.tenantFiles.count) files")
        if let tenantService {
            let fromService = configuration.tenants.count - fromFiles
            lines.append("Tenants from tenant service \(tenantService.url): \(fromService) valid of \(tenantService.document?.tenants.count ?? 0)")
        }
        for tenant in configuration.tenants {
            let state = tenant.enabled ? "enabled" : "disabled"
            lines.append("  \(tenant.id) (\(tenant.displayName), \(state))")
            for org in tenant.orgs {
                let marker = org.name == tenant.defaultOrg?.name ? " [default]" : ""
                lines.append("    org \(org.name)\(marker): \(URLRedaction.hidingPassword(in: org.endpoints.apiBaseURL)), types \(org.messageTypes.map(\.value).joined(separator: ", ")), policy \(org.errorPolicy.value), \(Self.format(org.rateLimit.messagesPerSecond))/s burst \(org.rateLimit.burst)")
            }
        }
        let errorLines = configuration.pluginErrors.map(\.description) + configuration.configErrors.map(\.description)
            + (tenantService?.failure.map { [$0.description] } ?? [])
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
