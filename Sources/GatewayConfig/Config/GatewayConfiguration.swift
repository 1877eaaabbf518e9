public import GatewayCore
public import Logging
public import PluginHost

/// Plugins and tenant configs loaded together and checked against each other.
public struct GatewayConfiguration: Sendable {
    public var plugins: PluginRegistry
    public var tenants: [TenantConfig]
    public var tenantFiles: [String]
    /// Every config problem (structure, cross-source, plugins, secrets), by source.
    public var configErrors: [ConfigError]

    public var pluginErrors: [PluginLoadError] { plugins.errors }
    public var isValid: Bool { configErrors.isEmpty && pluginErrors.isEmpty }

    /// Loads `pluginsDirectory` and `configDirectory`, and takes the tenants of `tenantService`'s document.
    /// A tenant with problems is left out of `tenants`; the others stay. A tenant id in both a file and the
    /// service is the file's: the service's is refused, naming the file.
    /// - Parameter genesysHosts: the hosts orgs may send to besides Genesys Cloud's regions (none by default).
    public static func load(
        configDirectory: String, pluginsDirectory: String, secrets: any SecretResolving = SecretResolver(),
        tenantService: TenantServiceDocument? = nil, genesysHosts: GenesysHostPolicy = .regionsOnly, logger: Logger
    ) -> GatewayConfiguration {
        let plugins = PluginLoader(logger: logger).load(directory: pluginsDirectory)
        let report = TenantConfigLoader().load(directory: configDirectory)
        let validator = TenantConfigValidator(plugins: plugins, secrets: secrets, genesysHosts: genesysHosts)
        var admission = Admission()
        for tenant in report.tenants {
            admission.admit(tenant, problems: validator.problems(in: tenant), keys: validator.resolvedAPIKeys(of: tenant))
        }
        // Files first: at start the service's tenant is the newcomer.
        for entry in tenantService?.tenants ?? [] {
            guard let tenant = entry.tenant else {
                admission.errors += entry.decodeErrors
                continue
            }
            if let file = report.tenants.first(where: { $0.id == tenant.id })?.source.path {
                admission.errors.append(ConfigError(
                    path: entry.source, mark: nil, message: "duplicate tenant id '\(tenant.id)': already defined in \(file)"))
                continue
            }
            admission.admit(tenant, problems: entry.problems(validatedBy: validator), keys: validator.resolvedAPIKeys(of: tenant))
        }
        let errors = (report.errors + admission.errors).sorted(by: ConfigError.inReadingOrder)
        return GatewayConfiguration(plugins: plugins, tenants: admission.tenants, tenantFiles: report.files, configErrors: errors)
    }

    /// The tenants let in so far, and the API keys they hold.
    private struct Admission {
        var tenants: [TenantConfig] = []
        var errors: [ConfigError] = []
        /// By the key itself, as resolved: two references may hold one key.
        private var keyHolders: [Secret: String] = [:]

        /// Lets `tenant` in unless it has `problems`, or holds an API key an earlier tenant holds (one API key
        /// must pick one tenant).
        /// - Parameter keys: the tenant's API keys as resolved, with their references.
        mutating func admit(_ tenant: TenantConfig, problems: [ConfigError], keys: [(reference: SecretReference, key: Secret)]) {
            var problems = problems
            for (reference, key) in keys {
                if let holder = keyHolders[key], holder != tenant.id {
                    problems.append(ConfigError(
                        path: tenant.source.path, mark: tenant.source.tenantMark,
                        message: "API key \(reference) is already tenant '\(holder)'s (it holds the same key)"))
                }
            }
            errors += problems
            guard problems.isEmpty else { return }
            tenants.append(tenant)
            for (_, key) in keys { keyHolders[key] = tenant.id }
        }
    }
}
