import Foundation
import GatewayCore
import GatewayYAML

/// The TLS and proxy keys of an `http:` block (`caFile`, `clientCertFile`, `clientKeyFile`, `proxy`), read over what
/// the tenant's `defaults:` set. Whether the files exist is the validator's question (``TenantConfigValidator``):
/// they are read when the gateway connects, not when the tenant is decoded.
enum HTTPTransportBlock {
    static let keys = ["caFile", "clientCertFile", "clientKeyFile", "proxy"]
    private static let fileKeys = ["caFile", "clientCertFile", "clientKeyFile"]

    /// - Parameter localFiles: the tenant's rule for references; a tenant service's document may name files on the
    ///   gateway's machine only where it may name `file:` secrets (`--tenant-service-allow-references`).
    static func read(_ http: MappingReader, over base: HTTPTransportSettings, localFiles: LiteralSecretPolicy) -> HTTPTransportSettings {
        var block = HTTPTransportSettings()
        var paths: [String: String] = [:]
        for key in fileKeys {
            guard let path = http.string(key) else { continue }
            guard localFiles.readsLocalFiles else {
                http.diagnostics.report(
                    "'\(key)' in \(http.context) names a file on the gateway's machine, which a tenant service may do only when the operator allows references (--tenant-service-allow-references)",
                    at: path.mark)
                continue
            }
            // Relative to what? The gateway's working directory is not the tenant file's: only a whole path is clear.
            guard path.value.hasPrefix("/") else {
                http.diagnostics.report("'\(key)' in \(http.context) must be an absolute path, got '\(path.value)'", at: path.mark)
                continue
            }
            paths[key] = path.value
        }
        block.caFile = paths["caFile"]
        block.clientCertificateFile = paths["clientCertFile"]
        block.clientKeyFile = paths["clientKeyFile"]
        // Each block names both or neither: a certificate from one block with a key from another would not match.
        if http.has("clientCertFile") != http.has("clientKeyFile") {
            let (given, missing) = http.has("clientCertFile") ? ("clientCertFile", "clientKeyFile") : ("clientKeyFile", "clientCertFile")
            http.diagnostics.report(
                "'\(given)' in \(http.context) needs '\(missing)' as well (a client certificate goes with its key)",
                at: http.node(given)?.mark ?? http.mark)
        }
        if let proxy = http.string("proxy") {
            // Every call of the org goes to the proxy first: from a tenant service that would be a way round the
            // Genesys host allow-list (a "proxy" on an internal host gets the login request), so only with consent.
            if localFiles.readsLocalFiles {
                block.proxy = checkedProxy(proxy, in: http)
            } else {
                http.diagnostics.report(
                    "'proxy' in \(http.context) sends the org's calls through another host, which a tenant service may set only when the operator allows references (--tenant-service-allow-references)",
                    at: proxy.mark)
            }
        }
        return base.overridden(by: block)
    }

    /// The proxy URL, or nil after reporting why libcurl would not read it as meant.
    private static func checkedProxy(_ proxy: Located<String>, in http: MappingReader) -> String? {
        // A password here would be a secret written as a value, which tenant configs never hold.
        if let components = URLComponents(string: proxy.value), components.user != nil || components.password != nil {
            http.diagnostics.report(
                "'proxy' in \(http.context) must not carry a user or password; a proxy that needs them is set for the whole gateway (--http-proxy, GGW_HTTP_PROXY)",
                at: proxy.mark)
            return nil
        }
        if let problem = HTTPTransportSettings(proxy: proxy.value).problems().first {
            http.diagnostics.report(problem.described(as: "'proxy' in \(http.context)"), at: proxy.mark)
            return nil
        }
        return proxy.value
    }
}
