import ArgumentParser
import GatewayConfig
import GatewayCore
import Logging

/// Where the tenant service is; shared by `run` and `check-config`.
struct TenantServiceOptions: ParsableArguments {
    @Option(help: "URL of a tenant service's JSON document listing tenants (env GGW_TENANT_SERVICE_URL); its tenants join the config directory's.")
    var tenantServiceURL: String?

    @Option(help: "Where the tenant service's bearer token is, as env:NAME or file:/path (resolved at every fetch).")
    var tenantServiceToken: String?

    @Option(help: "Seconds between two fetches of the tenant service's document.")
    var tenantServiceInterval: Int = 30

    @Flag(help: "Let the tenant service's document name secrets and client ids as env:NAME or file:/path (read from this machine); without it, only values are taken from the service.")
    var tenantServiceAllowReferences = false

    /// The settings the options give; nil without a URL.
    func settings() throws -> TenantServiceSettings? {
        guard let url = tenantServiceURL ?? GatewayEnvironment.value("GGW_TENANT_SERVICE_URL") else {
            guard tenantServiceToken == nil else { throw ValidationError("--tenant-service-token needs --tenant-service-url") }
            guard !tenantServiceAllowReferences else { throw ValidationError("--tenant-service-allow-references needs --tenant-service-url") }
            return nil
        }
        if let problem = TenantServiceSettings.problem(with: url) { throw ValidationError("--tenant-service-url \(problem)") }
        guard (1...86_400).contains(tenantServiceInterval) else {
            throw ValidationError("--tenant-service-interval must be between 1 and 86400 seconds")
        }
        var token: SecretReference?
        if let tenantServiceToken {
            guard let reference = SecretReference(parsing: tenantServiceToken) else {
                throw ValidationError("--tenant-service-token must be env:NAME or file:/absolute/path, not the token itself")
            }
            token = reference
        }
        return TenantServiceSettings(
            url: url, token: token, pollInterval: .seconds(tenantServiceInterval), allowsReferences: tenantServiceAllowReferences)
    }
}
