//
// SandboxConfiguration+Flags.swift — GenesysSandbox
// The quick command-line forms (`--client id:secret[:org]`, ...) applied on top of a config file.
//

extension SandboxConfiguration {
    /// The org flags put clients and integrations into when they name none.
    public static let defaultOrgId = "sandbox-org"

    /// Adds a client from `ID:SECRET[:ORG]` (the `--client` flag). The org is created if needed.
    public mutating func addClient(flag spec: String) throws {
        let parts = spec.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw SandboxError.invalidConfiguration("--client \(spec): expected ID:SECRET[:ORG]")
        }
        let orgId = parts.count == 3 && !parts[2].isEmpty ? parts[2] : Self.defaultOrgId
        try withOrg(orgId) { $0.clients.append(Client(id: parts[0], secret: parts[1])) }
    }

    /// Adds an integration from `ID[:ORG]` (the `--integration` flag).
    public mutating func addIntegration(flag spec: String) throws {
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard !parts[0].isEmpty else { throw SandboxError.invalidConfiguration("--integration \(spec): expected ID[:ORG]") }
        let orgId = parts.count == 2 && !parts[1].isEmpty ? parts[1] : Self.defaultOrgId
        try withOrg(orgId) { $0.integrations.append(Integration(id: parts[0])) }
    }

    /// Sets an integration's webhook from `ID=URL` (the `--webhook` flag).
    public mutating func setWebhook(flag spec: String) throws {
        let (id, url) = try Self.pair(spec, flag: "--webhook", value: "URL")
        try withIntegration(id) { $0.outboundNotificationWebhookUrl = url }
    }

    /// Sets an integration's webhook secret from `ID=SECRET` (the `--webhook-secret` flag).
    public mutating func setWebhookSecret(flag spec: String) throws {
        let (id, secret) = try Self.pair(spec, flag: "--webhook-secret", value: "SECRET")
        try withIntegration(id) { $0.webhookSecret = secret }
    }

    /// Sets a client's rate limit from `ID=N` (the `--client-rate` flag).
    public mutating func setClientRate(flag spec: String) throws {
        let (id, value) = try Self.pair(spec, flag: "--client-rate", value: "N")
        guard let rate = Int(value), rate > 0 else { throw SandboxError.invalidConfiguration("--client-rate \(spec)") }
        try withClient(id) { $0.ratePerMinute = rate }
    }

    /// Sets a client's token lifetime from `ID=SECONDS` (the `--client-token-lifetime` flag).
    public mutating func setClientTokenLifetime(flag spec: String) throws {
        let (id, value) = try Self.pair(spec, flag: "--client-token-lifetime", value: "SECONDS")
        guard let seconds = Int(value), seconds > 0 else {
            throw SandboxError.invalidConfiguration("--client-token-lifetime \(spec)")
        }
        try withClient(id) { $0.tokenLifetimeSeconds = seconds }
    }

    private static func pair(_ spec: String, flag: String, value: String) throws -> (String, String) {
        let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw SandboxError.invalidConfiguration("\(flag) \(spec): expected ID=\(value)")
        }
        return (parts[0], parts[1])
    }

    private mutating func withOrg(_ id: String, _ change: (inout Org) throws -> Void) throws {
        if let index = orgs.firstIndex(where: { $0.id == id }) {
            try change(&orgs[index])
        } else {
            var org = Org(id: id)
            try change(&org)
            orgs.append(org)
        }
    }

    private mutating func withClient(_ id: String, _ change: (inout Client) -> Void) throws {
        for orgIndex in orgs.indices {
            if let index = orgs[orgIndex].clients.firstIndex(where: { $0.id == id }) {
                return change(&orgs[orgIndex].clients[index])
            }
        }
        throw SandboxError.invalidConfiguration("no client \(id): add it with --client or in the config file first")
    }

    private mutating func withIntegration(_ id: String, _ change: (inout Integration) -> Void) throws {
        for orgIndex in orgs.indices {
            if let index = orgs[orgIndex].integrations.firstIndex(where: { $0.id == id }) {
                return change(&orgs[orgIndex].integrations[index])
            }
        }
        throw SandboxError.invalidConfiguration(
            "no integration \(id): add it with --integration or in the config file first")
    }
}
