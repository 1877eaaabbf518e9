import Logging

/// Plugins and tenant configs loaded together and checked against each other.
public struct GatewayConfiguration: Sendable {
    public var plugins: PluginRegistry
    public var tenants: [TenantConfig]
    public var tenantFiles: [String]
    /// Every config problem (structure, cross-file, plugins, secrets), in file order.
    public var configErrors: [ConfigError]

    public var pluginErrors: [PluginLoadError] { plugins.errors }
    public var isValid: Bool { configErrors.isEmpty && pluginErrors.isEmpty }

    /// Loads `pluginsDirectory` and `configDirectory`. A tenant with problems is left out of `tenants`;
    /// the others stay.
    public static func load(
        configDirectory: String, pluginsDirectory: String, secrets: any SecretResolving = SecretResolver(),
        logger: Logger
    ) -> GatewayConfiguration {
        let plugins = PluginLoader(logger: logger).load(directory: pluginsDirectory)
        let report = TenantConfigLoader().load(directory: configDirectory)
        let validator = TenantConfigValidator(plugins: plugins, secrets: secrets)
        var errors = report.errors
        var tenants: [TenantConfig] = []
        var keyHolders: [SecretReference: String] = [:]
        for tenant in report.tenants {
            var problems = validator.problems(in: tenant)
            // One API key must pick one tenant: a later file (by name) naming a key already taken is left out.
            for key in tenant.apiKeys {
                if let holder = keyHolders[key], holder != tenant.id {
                    problems.append(ConfigError(
                        path: tenant.source.path, mark: tenant.source.idMark, message: "API key \(key) is already tenant '\(holder)'s"))
                }
            }
            errors += problems
            if problems.isEmpty {
                tenants.append(tenant)
                for key in tenant.apiKeys { keyHolders[key] = tenant.id }
            }
        }
        errors.sort { ($0.path, $0.mark?.line ?? 0, $0.mark?.column ?? 0) < ($1.path, $1.mark?.line ?? 0, $1.mark?.column ?? 0) }
        return GatewayConfiguration(plugins: plugins, tenants: tenants, tenantFiles: report.files, configErrors: errors)
    }
}
