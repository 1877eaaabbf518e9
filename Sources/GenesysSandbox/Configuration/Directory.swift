//
// Directory.swift — GenesysSandbox
// Lookup tables built once from the configuration: client → org, integration → org.
//

/// A configured OAuth client, resolved with its org and effective limits.
struct ClientRecord: Sendable {
    let id: String
    let secret: String
    let orgId: String
    let tokenLifetimeSeconds: Int
    let ratePerMinute: Int
}

/// A configured Open Messaging integration, resolved with its org.
struct IntegrationRecord: Sendable {
    let id: String
    let orgId: String
    let webhookURL: String?
    let webhookSecret: String?
}

/// Who exists in this sandbox; immutable after start.
struct Directory: Sendable {
    let clients: [String: ClientRecord]
    let integrations: [String: IntegrationRecord]

    /// Builds and checks the tables.
    /// - Throws: `SandboxError.invalidConfiguration` for duplicates, bad limits or short webhook secrets.
    init(configuration: SandboxConfiguration) throws {
        var clients: [String: ClientRecord] = [:]
        var integrations: [String: IntegrationRecord] = [:]
        var orgIds = Set<String>()
        for org in configuration.orgs {
            guard !org.id.isEmpty, orgIds.insert(org.id).inserted else {
                throw SandboxError.invalidConfiguration("org id \"\(org.id)\" is empty or listed twice")
            }
            for client in org.clients {
                guard !client.id.isEmpty, clients[client.id] == nil else {
                    throw SandboxError.invalidConfiguration("client id \"\(client.id)\" is empty or listed twice")
                }
                let lifetime = client.tokenLifetimeSeconds ?? configuration.defaultTokenLifetimeSeconds
                let rate = client.ratePerMinute ?? configuration.defaultRatePerMinute
                guard lifetime > 0, rate > 0 else {
                    throw SandboxError.invalidConfiguration("client \(client.id): token lifetime and rate must be > 0")
                }
                clients[client.id] = ClientRecord(
                    id: client.id, secret: client.secret, orgId: org.id, tokenLifetimeSeconds: lifetime,
                    ratePerMinute: rate)
            }
            for integration in org.integrations {
                guard !integration.id.isEmpty, integrations[integration.id] == nil else {
                    throw SandboxError.invalidConfiguration(
                        "integration id \"\(integration.id)\" is empty or listed twice")
                }
                if integration.outboundNotificationWebhookUrl != nil, (integration.webhookSecret ?? "").count <= 15 {
                    throw SandboxError.invalidConfiguration(
                        "integration \(integration.id): webhookSecret must be longer than 15 characters")
                }
                integrations[integration.id] = IntegrationRecord(
                    id: integration.id, orgId: org.id, webhookURL: integration.outboundNotificationWebhookUrl,
                    webhookSecret: integration.webhookSecret)
            }
        }
        self.clients = clients
        self.integrations = integrations
    }

    /// The integration with `id` if it belongs to `orgId`. Another org's integration is reported
    /// as missing (404), the way Genesys hides other orgs' ids.
    func integration(_ id: String, visibleTo orgId: String) -> IntegrationRecord? {
        guard let record = integrations[id], record.orgId == orgId else { return nil }
        return record
    }
}
