import ArgumentParser
import GatewayApp

/// HTTPS on the API's listeners: the certificate and key files, and how often they are looked at for a renewal.
struct TLSOptions: ParsableArguments {
    @Option(help: "PEM file of the API listeners' TLS certificate, its chain after it (env GGW_TLS_CERT_FILE); with --tls-key-file the API serves HTTPS only.")
    var tlsCertFile: String?

    @Option(help: "PEM file of that certificate's private key, unencrypted (env GGW_TLS_KEY_FILE).")
    var tlsKeyFile: String?

    @Option(help: "Seconds between looks at the certificate and key files for a renewal (env GGW_TLS_RELOAD_POLL_SECONDS; 0: on SIGHUP only; 1 to 3600; 5).")
    var tlsReloadPollSeconds: Int?

    /// The TLS settings with the certificate read, or nil without TLS.
    /// - Throws: `ValidationError` naming the option, the file and OpenSSL's reason when the files cannot be served.
    func settings() throws -> TLSSettings? {
        let certificate = tlsCertFile ?? GatewayEnvironment.value("GGW_TLS_CERT_FILE")
        let key = tlsKeyFile ?? GatewayEnvironment.value("GGW_TLS_KEY_FILE")
        switch (certificate, key) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw ValidationError("--tls-cert-file (or GGW_TLS_CERT_FILE) needs --tls-key-file (or GGW_TLS_KEY_FILE)")
        case (nil, .some):
            throw ValidationError("--tls-key-file (or GGW_TLS_KEY_FILE) needs --tls-cert-file (or GGW_TLS_CERT_FILE)")
        case let (.some(certificate), .some(key)):
            let seconds = try GatewayEnvironment.integer(
                tlsReloadPollSeconds, option: "--tls-reload-poll-seconds", environment: "GGW_TLS_RELOAD_POLL_SECONDS",
                in: 0...3600, unit: "seconds") ?? 5
            do {
                return try TLSSettings(
                    certificateFile: certificate, keyFile: key, pollInterval: seconds == 0 ? nil : .seconds(seconds))
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }
}
