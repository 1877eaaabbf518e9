public import GatewayCore
import GatewayYAML
public import PluginHost
/// Checks what a single file cannot know alone: that the message types and error policy each org names
/// are served by a loaded plugin, that every secret reference resolves, and that each org's Genesys hosts are
/// ones the operator lets tenants name.
public struct TenantConfigValidator: Sendable {
    private let plugins: PluginRegistry
    private let secrets: any SecretResolving
    private let genesysHosts: GenesysHostPolicy

    public init(plugins: PluginRegistry, secrets: any SecretResolving, genesysHosts: GenesysHostPolicy) {
        self.plugins = plugins
        self.secrets = secrets
        self.genesysHosts = genesysHosts
    }

    /// The tenant's API keys as they resolve now, each with its reference (one that does not resolve is left out:
    /// it is one of ``problems(in:)``). One key must pick one tenant whatever reference names it: `env:A` and
    /// `file:/k` may hold the same key, and `file://k` is `file:/k`.
    public func resolvedAPIKeys(of tenant: TenantConfig) -> [(reference: SecretReference, key: Secret)] {
        tenant.apiKeys.compactMap { reference in (try? secrets.resolve(reference)).map { (reference, $0) } }
    }

    /// Every problem with `tenant` against the loaded plugins and the environment.
    public func problems(in tenant: TenantConfig) -> [ConfigError] {
        let path = tenant.source.path
        var errors: [ConfigError] = []
        // A type named in the tenant's `defaults:` reaches every org from one place: reported once.
        var reportedExpiryTypes: Set<String> = []
        for org in tenant.orgs {
            for (key, url) in [("apiBaseURL", org.endpoints.apiBaseURL), ("loginBaseURL", org.endpoints.loginBaseURL)] {
                if let refusal = genesysHosts.refusal(of: url, key: key) {
                    errors.append(ConfigError(path: path, mark: org.mark, message: "org '\(org.name)': \(refusal)"))
                }
            }
            for type in org.expiry.namedTypes where plugins.sender(for: type.value) == nil
                && reportedExpiryTypes.insert("\(type.mark.line):\(type.mark.column)").inserted {
                errors.append(ConfigError(
                    path: path, mark: type.mark,
                    message: "org '\(org.name)': expiry.afterSeconds names unknown message type '\(type.value)' (loaded: \(Self.list(plugins.messageTypes)))"))
            }
            for type in org.messageTypes where plugins.sender(for: type.value) == nil {
                errors.append(ConfigError(
                    path: path, mark: type.mark,
                    message: "org '\(org.name)': unknown message type '\(type.value)' (loaded: \(Self.list(plugins.messageTypes)))"))
            }
            // An agent message the gateway cannot forward is answered with a Failed receipt; with `receipt`
            // off that answer would be parked, and the agent would believe the customer got the message.
            if !org.webhookSecrets.isEmpty, !org.messageTypes.contains(where: { $0.value == "receipt" }) {
                errors.append(ConfigError(
                    path: path, mark: org.messageTypes.first?.mark ?? tenant.source.idMark,
                    message: "org '\(org.name)': webhookSecret needs message type 'receipt' in messageTypes (the gateway reports agent messages it cannot forward with a Failed receipt)"))
            }
            if plugins.errorPolicy(named: org.errorPolicy.value) == nil {
                errors.append(ConfigError(
                    path: path, mark: org.errorPolicy.mark,
                    message: "org '\(org.name)': unknown error policy '\(org.errorPolicy.value)' (loaded: \(Self.list(plugins.errorPolicyNames)))"))
            }
        }
        for name in tenant.pluginSettings.keys.sorted() where !plugins.plugins.contains(where: { $0.name == name }) {
            errors.append(ConfigError(
                path: path, mark: tenant.source.idMark, message: "settings for unknown plugin '\(name)'"))
        }
        errors += pluginSettingProblems(in: tenant)
        errors += secretProblems(in: tenant)
        errors += transportProblems(in: tenant)
        return errors
    }

    /// The files an org's `http:` block names must be there and readable now, as the gateway's own `--http-…` files
    /// must be at its start: a missing CA file would otherwise surface only as every call to that org failing.
    /// A file named in the tenant's `defaults:` is reported once, not once per org.
    private func transportProblems(in tenant: TenantConfig) -> [ConfigError] {
        var seen: Set<HTTPTransportSettingsError> = []
        var errors: [ConfigError] = []
        for org in tenant.orgs {
            for problem in org.http.transport.problems() where seen.insert(problem).inserted {
                errors.append(ConfigError(
                    path: tenant.source.path, mark: tenant.source.idMark,
                    message: "org '\(org.name)': " + problem.described(as: "http.\(Self.yamlKey(problem.field))")))
            }
        }
        return errors
    }

    /// The tenant file's name for a transport setting.
    private static func yamlKey(_ field: HTTPTransportSettings.Field) -> String {
        switch field {
        case .caFile: "caFile"
        case .caDirectory: "caDirectory"
        case .clientCertificateFile: "clientCertFile"
        case .clientKeyFile: "clientKeyFile"
        case .proxy: "proxy"
        case .noProxy: "noProxy"
        }
    }

    /// Plugins check their own settings when an instance is made, so make one of each plugin the tenant uses.
    private func pluginSettingProblems(in tenant: TenantConfig) -> [ConfigError] {
        let used = Set(tenant.orgs.flatMap { org in
            org.messageTypes.compactMap { plugins.sender(for: $0.value)?.name } + [org.errorPolicy.value]
        })
        return plugins.plugins.filter { used.contains($0.name) }.compactMap { plugin -> ConfigError? in
            let settings = tenant.pluginSettings[plugin.name] ?? "{}"
            do throws(PluginInstanceError) {
                switch plugin.kind {
                case .sender: _ = try plugin.makeSender(settingsJSON: settings)
                case .errorPolicy: _ = try plugin.makePolicy(settingsJSON: settings)
                }
                return nil
            } catch {
                return ConfigError(path: tenant.source.path, mark: tenant.source.idMark, message: error.description)
            }
        }
    }

    private func secretProblems(in tenant: TenantConfig) -> [ConfigError] {
        var references: [(org: String?, key: String, reference: SecretReference)] =
            tenant.apiKeys.map { (nil, "apiKeys", $0) }
        for org in tenant.orgs {
            references.append((org.name, "clientId", org.clientID))
            references.append((org.name, "clientSecret", org.clientSecret))
            for webhook in org.webhookSecrets { references.append((org.name, "webhookSecret", webhook)) }
        }
        return references.compactMap { org, key, reference -> ConfigError? in
            do throws(SecretResolutionError) {
                _ = try secrets.resolve(reference)
                return nil
            } catch {
                return ConfigError(
                    path: tenant.source.path, mark: tenant.source.idMark,
                    message: error.at(tenant: tenant.id, org: org, key: key).description)
            }
        }
    }

    private static func list(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.joined(separator: ", ")
    }
}
