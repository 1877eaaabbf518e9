import GatewayConfig
package import Logging

extension TenantServiceSource {
    /// Fetches the document once at start and logs how it went: a service that fails leaves the gateway to
    /// start with the config directory's tenants (and poll on), so the outcome is a log line, not an error.
    package func fetchAtStart(logger: Logger) async {
        switch await fetch() {
        case .changed(let document):
            logger.info(
                "tenant service document read",
                metadata: ["tenant_service.url": "\(settings.displayURL)", "tenants": "\(document.tenants.count)"])
        case .notModified:
            break
        case .failed(let error):
            logger.error(
                "tenant service fetch failed at start; going on with the config directory's tenants",
                metadata: ["tenant_service.url": "\(error.url)", "tenant_service.result": "\(error.kind.rawValue)", "error": "\(error.message)"])
        }
    }
}
