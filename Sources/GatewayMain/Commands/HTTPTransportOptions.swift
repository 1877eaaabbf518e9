import ArgumentParser
import GatewayCore
import Logging

/// TLS and proxy for every outgoing HTTP call (Genesys, login hosts, the tenant service, the state manager), as
/// libcurl's options of the same meaning (``HTTPTransportSettings``). Each option falls back to its environment
/// variable; without `--http-proxy` libcurl still reads its own (`https_proxy`, `no_proxy`, …). Shared by `run` and
/// `check-config`, whose tenant service is reached the same way.
struct HTTPTransportOptions: ParsableArguments {
    @Option(help: "PEM file of the CAs that may sign the servers' certificates, instead of the system's bundle (libcurl's CURLOPT_CAINFO; env GGW_HTTP_CA_FILE).")
    var httpCaFile: String?

    @Option(help: "Directory of CA certificates by hash (openssl rehash), instead of the system's /etc/ssl/certs (CURLOPT_CAPATH; env GGW_HTTP_CA_DIR).")
    var httpCaDir: String?

    @Option(help: "PEM client certificate shown to servers that ask (mutual TLS; CURLOPT_SSLCERT; env GGW_HTTP_CLIENT_CERT); needs --http-client-key.")
    var httpClientCert: String?

    @Option(help: "PEM private key of --http-client-cert, not encrypted (CURLOPT_SSLKEY; env GGW_HTTP_CLIENT_KEY).")
    var httpClientKey: String?

    @Option(help: "Proxy for every call: http://, https://, socks5:// or socks5h:// [user:password@]host:port (CURLOPT_PROXY; env GGW_HTTP_PROXY, which keeps a password out of ps). Without it, libcurl's https_proxy, http_proxy, all_proxy and no_proxy apply.")
    var httpProxy: String?

    @Option(help: "Hosts reached without the proxy, comma-separated, * for all (CURLOPT_NOPROXY; env GGW_HTTP_NO_PROXY).")
    var httpNoProxy: String?

    /// Where each setting comes from: its option, or else its environment variable.
    private struct Source {
        var option: String
        var environment: String
        var given: String?

        /// The value and the name to show in an error.
        var resolved: (value: String, name: String)? {
            if let given { return (given, option) }
            return GatewayEnvironment.value(environment).map { ($0, environment) }
        }
    }

    /// The settings, refused (naming the option or variable) when a file is missing or unreadable, a certificate
    /// lacks its key or the reverse, or the proxy is not a URL libcurl would read as meant.
    func settings() throws -> HTTPTransportSettings {
        let sources: [HTTPTransportSettings.Field: Source] = [
            .caFile: Source(option: "--http-ca-file", environment: "GGW_HTTP_CA_FILE", given: httpCaFile),
            .caDirectory: Source(option: "--http-ca-dir", environment: "GGW_HTTP_CA_DIR", given: httpCaDir),
            .clientCertificateFile: Source(option: "--http-client-cert", environment: "GGW_HTTP_CLIENT_CERT", given: httpClientCert),
            .clientKeyFile: Source(option: "--http-client-key", environment: "GGW_HTTP_CLIENT_KEY", given: httpClientKey),
            .proxy: Source(option: "--http-proxy", environment: "GGW_HTTP_PROXY", given: httpProxy),
            .noProxy: Source(option: "--http-no-proxy", environment: "GGW_HTTP_NO_PROXY", given: httpNoProxy),
        ]
        let values = sources.mapValues(\.resolved)
        let settings = HTTPTransportSettings(
            caFile: values[.caFile]??.value, caDirectory: values[.caDirectory]??.value,
            clientCertificateFile: values[.clientCertificateFile]??.value, clientKeyFile: values[.clientKeyFile]??.value,
            proxy: values[.proxy]??.value, noProxy: values[.noProxy]??.value)
        func name(_ field: HTTPTransportSettings.Field) -> String {
            values[field]??.name ?? sources[field]?.option ?? field.rawValue
        }
        let problems = settings.problems().map { problem in
            var partner: String?
            if case .needs(let other) = problem.problem { partner = name(other) }
            return problem.described(as: name(problem.field), partner: partner)
        }
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
        return settings
    }

    /// What `run` logs at its start: the settings in force, the proxy's password hidden.
    static func metadata(_ settings: HTTPTransportSettings) -> Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        metadata["http.ca_file"] = settings.caFile.map { .string($0) }
        metadata["http.ca_dir"] = settings.caDirectory.map { .string($0) }
        metadata["http.client_cert"] = settings.clientCertificateFile.map { .string($0) }
        metadata["http.client_key"] = settings.clientKeyFile.map { .string($0) }
        metadata["http.proxy"] = settings.displayProxy.map { .string($0) }
        metadata["http.no_proxy"] = settings.noProxy.map { .string($0) }
        return metadata
    }
}
