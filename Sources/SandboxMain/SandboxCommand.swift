//
// SandboxCommand.swift — SandboxMain
// `genesys-sandbox`: parse flags, merge them over the config file, run the server until SIGINT/SIGTERM.
//

import ArgumentParser
import GenesysSandbox
import Logging
import ServiceLifecycle

@main
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genesys-sandbox",
        abstract: "A local HTTP server that behaves like Genesys Cloud (OAuth, Open Messaging, conversations, webhooks).",
        discussion: """
            Serves /oauth/token, /api/v2/conversations/... and an admin API under /sandbox/... for fault
            injection and observation. Flags are applied on top of --config. See docs/sandbox.md.

            Example:
              genesys-sandbox --client acme-client:acme-secret:acme --integration acme-int:acme \\
                --webhook acme-int=http://127.0.0.1:8080/webhook --webhook-secret acme-int=0123456789abcdef
            """)

    @Option(name: .long, help: ArgumentHelp("JSON config file: orgs → clients → integrations, defaults, faults.", valueName: "path"))
    var config: String?

    @Option(name: .long, help: "Address to bind. [default: 127.0.0.1]")
    var host: String?

    @Option(name: .long, help: "Port to bind (0 = any free port; the bound one is logged). [default: 8089]")
    var port: Int?

    @Option(name: .long, help: ArgumentHelp("An OAuth client (repeatable). ORG defaults to \(SandboxConfiguration.defaultOrgId).", valueName: "id:secret[:org]"))
    var client: [String] = []

    @Option(name: .long, help: ArgumentHelp("An Open Messaging integration (repeatable).", valueName: "id[:org]"))
    var integration: [String] = []

    @Option(name: .long, help: ArgumentHelp("An integration's outboundNotificationWebhookUrl (repeatable).", valueName: "id=url"))
    var webhook: [String] = []

    @Option(name: .long, help: ArgumentHelp("An integration's webhook secret, more than 15 characters (repeatable).", valueName: "id=secret"))
    var webhookSecret: [String] = []

    @Option(name: .long, help: ArgumentHelp("Requests per minute for one client (repeatable).", valueName: "id=n"))
    var clientRate: [String] = []

    @Option(name: .long, help: ArgumentHelp("Token lifetime in seconds for one client (repeatable).", valueName: "id=seconds"))
    var clientTokenLifetime: [String] = []

    @Option(name: .long, help: "Default token lifetime (expires_in) in seconds. [default: 86400]")
    var tokenLifetime: Int?

    @Option(name: .long, help: "Default requests per minute per client. [default: 300]")
    var ratePerMinute: Int?

    @Option(name: .long, help: "Webhook retries after the first attempt. [default: 5]")
    var webhookRetries: Int?

    @Option(name: .long, help: "Pause between webhook attempts, in milliseconds. [default: 5000]")
    var webhookRetryIntervalMs: Int?

    @Option(name: .long, help: "Timeout of one webhook attempt, in milliseconds. [default: 10000]")
    var webhookTimeoutMs: Int?

    @Option(name: .customLong("webhook-ca-file"), help: ArgumentHelp("PEM file of the CAs an https:// webhook's certificate must come from. [default: the system's CAs]", valueName: "path"))
    var webhookCAFile: String?

    @Option(name: .long, help: ArgumentHelp(
        "Faults from the start (repeatable). Keys: latencyMs, jitterMs, failureRate, failureStatuses (500/502/503/504), outageSeconds, burst429Count, burst429RetryAfterSeconds, slowResponseMs, slowResponseRate, resetRate.",
        valueName: "client|integration:id:key=value,..."))
    var fault: [String] = []

    @Option(name: .long, help: ArgumentHelp("Models file to validate against instead of the bundled open_messaging_models.json.", valueName: "path"))
    var models: String?

    @Flag(name: .long, help: "Reject body properties the models do not define (400 unrecognized.field) instead of ignoring them.")
    var rejectUnknownProperties = false

    @Option(name: .long, help: "Largest request body in bytes. [default: 1048576]")
    var maxBodyBytes: Int?

    @Option(name: .long, help: "Accepted inbound calls kept per integration for /sandbox/received. [default: 1000000]")
    var maxRecordedMessages: Int?

    @Option(name: .long, help: ArgumentHelp("Serve HTTPS with this PEM certificate (chain after it); needs --tls-key-file.", valueName: "path"))
    var tlsCertFile: String?

    @Option(name: .long, help: ArgumentHelp("PEM private key of --tls-cert-file.", valueName: "path"))
    var tlsKeyFile: String?

    @Option(name: .long, help: ArgumentHelp("With HTTPS: require a client certificate from these PEM CAs (mutual TLS).", valueName: "path"))
    var tlsClientCaFile: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        var logger = Logger(label: "genesys-sandbox")
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level \(logLevel) is not a log level")
        }
        logger.logLevel = level
        let configuration = try makeConfiguration()
        let server = try SandboxServer(configuration: configuration, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    func makeConfiguration() throws -> SandboxConfiguration {
        var configuration = try config.map(SandboxConfiguration.load(fromFile:)) ?? SandboxConfiguration()
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let tokenLifetime { configuration.defaultTokenLifetimeSeconds = tokenLifetime }
        if let ratePerMinute { configuration.defaultRatePerMinute = ratePerMinute }
        if let webhookRetries { configuration.webhook.retries = webhookRetries }
        if let webhookRetryIntervalMs { configuration.webhook.retryIntervalMilliseconds = webhookRetryIntervalMs }
        if let webhookTimeoutMs { configuration.webhook.timeoutMilliseconds = webhookTimeoutMs }
        if let webhookCAFile { configuration.webhook.caFile = webhookCAFile }
        if let models { configuration.modelsPath = models }
        if let maxBodyBytes { configuration.maxBodyBytes = maxBodyBytes }
        if let maxRecordedMessages { configuration.maxRecordedMessages = maxRecordedMessages }
        if rejectUnknownProperties { configuration.rejectUnknownProperties = true }
        for spec in client { try configuration.addClient(flag: spec) }
        for spec in integration { try configuration.addIntegration(flag: spec) }
        for spec in webhook { try configuration.setWebhook(flag: spec) }
        for spec in webhookSecret { try configuration.setWebhookSecret(flag: spec) }
        for spec in clientRate { try configuration.setClientRate(flag: spec) }
        for spec in clientTokenLifetime { try configuration.setClientTokenLifetime(flag: spec) }
        for spec in fault { configuration.faults.append(try FaultRule(flagValue: spec)) }
        configuration.tls = try tlsFiles(over: configuration.tls)
        return configuration
    }

    /// The HTTPS files: the flags over the config file's `tls`. A certificate goes with its key.
    private func tlsFiles(over configured: SandboxTLS?) throws -> SandboxTLS? {
        switch (tlsCertFile, tlsKeyFile) {
        case (.some(let certificate), .some(let key)):
            return SandboxTLS(certificateFile: certificate, keyFile: key, clientCAFile: tlsClientCaFile ?? configured?.clientCAFile)
        case (.some, nil), (nil, .some):
            throw ValidationError("--tls-cert-file and --tls-key-file go together")
        case (nil, nil):
            guard var configured else {
                if tlsClientCaFile != nil { throw ValidationError("--tls-client-ca-file needs --tls-cert-file and --tls-key-file") }
                return nil
            }
            if let tlsClientCaFile { configured.clientCAFile = tlsClientCaFile }
            return configured
        }
    }
}
