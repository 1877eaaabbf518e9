import GatewayCore
import GatewayYAML
/// Turns one tenant file's YAML tree into a ``TenantConfig``, reporting every problem it finds.
///
/// Structure and values are checked here; what needs other files or the loaded plugins (duplicate tenant
/// ids, unknown message types and policies) is checked by ``TenantConfigValidator``.
struct TenantConfigDecoder {
    let diagnostics: ConfigDiagnostics
    /// Whether secrets may be values: never in files; from a tenant service, see ``LiteralSecretPolicy``.
    var literalSecrets: LiteralSecretPolicy = .files
    /// What the root mapping is called in messages ("unknown key 'x' in tenant file").
    var rootName = "tenant file"
    /// What ``TenantConfig/source`` says the tenant came from.
    var origin: ConfigSource.Origin = .file

    static let tenantKeys = ["id", "displayName", "enabled", "apiKeys", "publishers", "defaults", "plugins", "orgs"]
    static let defaultsKeys = ["rateLimit", "circuitBreaker", "retry", "http", "expiry"]
    static let orgKeys = [
        "name", "default", "region", "apiBaseURL", "loginBaseURL", "clientId", "clientSecret", "integrationId",
        "webhookSecret", "messageTypes", "errorPolicy", "rateLimit", "circuitBreaker", "retry", "http", "expiry",
    ]

    /// - Returns: the tenant, or nil when anything was reported.
    func decode(_ root: YAMLNode) -> TenantConfig? {
        let before = diagnostics.errors.count
        guard let tenant = MappingReader(root, context: rootName, knownKeys: Self.tenantKeys, diagnostics: diagnostics)
        else { return nil }

        let id = tenant.string("id", required: true)
        if let id, !Self.isIdentifier(id.value) {
            diagnostics.report("tenant id '\(id.value)' may only hold letters, digits, '-' and '_'", at: id.mark)
        }
        let context = "tenant '\(id?.value ?? "?")'"
        let apiKeys = apiKeyReferences(tenant)
        let publishers = publisherNames(tenant)

        var base = OrgSettingsBlock.defaults
        if let defaults = tenant.mapping("defaults", knownKeys: Self.defaultsKeys) {
            base = OrgSettingsBlock.read(defaults, over: base, localFiles: literalSecrets)
        }
        let orgs = decodeOrgs(tenant, base: base, tenantContext: context)
        let pluginSettings = decodePluginSettings(tenant)

        guard diagnostics.errors.count == before, let id else { return nil }
        return TenantConfig(
            id: id.value,
            displayName: tenant.string("displayName")?.value ?? id.value,
            enabled: tenant.bool("enabled") ?? ConfigDefaults.enabled,
            apiKeys: apiKeys,
            publishers: publishers,
            pluginSettings: pluginSettings,
            orgs: orgs,
            source: ConfigSource(path: diagnostics.path, idMark: id.mark, origin: origin))
    }

    private func apiKeyReferences(_ tenant: MappingReader) -> [SecretReference] {
        guard let entries = tenant.strings("apiKeys") else { return [] }
        return entries.compactMap { entry in
            guard let reference = literalSecrets.secret(from: entry.value) else {
                diagnostics.report(literalSecrets.refusal(of: "apiKeys entries"), at: entry.mark)
                return nil
            }
            return reference
        }
    }

    /// RabbitMQ user names: what a message's `user_id` holds, an AMQP short string.
    private func publisherNames(_ tenant: MappingReader) -> [String]? {
        guard let entries = tenant.strings("publishers") else { return nil }
        for entry in entries where entry.value.utf8.count > 255 {
            diagnostics.report("a 'publishers' entry is a RabbitMQ user name of at most 255 bytes", at: entry.mark)
        }
        return entries.map(\.value)
    }

    private func decodeOrgs(_ tenant: MappingReader, base: OrgSettingsBlock, tenantContext: String) -> [OrgConfig] {
        guard let node = tenant.node("orgs") else {
            diagnostics.report("missing required key 'orgs' in \(tenantContext)", at: tenant.mark)
            return []
        }
        guard case .sequence(let items, let mark) = node, !items.isEmpty else {
            diagnostics.report("'orgs' in \(tenantContext) must be a non-empty list of orgs", at: node.mark)
            return []
        }
        let orgs = items.enumerated().compactMap { index, item in decodeOrg(item, index: index, base: base) }
        let defaults = orgs.filter(\.isDefault)
        if defaults.count > 1 {
            diagnostics.report(
                "\(tenantContext) has \(defaults.count) default orgs (\(defaults.map(\.name).joined(separator: ", "))); at most one may say 'default: true'",
                at: mark)
        }
        if orgs.count > 1, defaults.isEmpty {
            diagnostics.report("\(tenantContext) has several orgs: mark one with 'default: true'", at: mark)
        }
        var seen: Set<String> = []
        for org in orgs where !seen.insert(org.name).inserted {
            diagnostics.report("\(tenantContext) has two orgs named '\(org.name)'", at: mark)
        }
        return orgs
    }

    private func decodeOrg(_ node: YAMLNode, index: Int, base: OrgSettingsBlock) -> OrgConfig? {
        guard let org = MappingReader(node, context: "orgs[\(index)]", knownKeys: Self.orgKeys, diagnostics: diagnostics)
        else { return nil }
        let before = diagnostics.errors.count
        let name = org.string("name", required: true)
        if let name, !Self.isIdentifier(name.value) {
            diagnostics.report("org name '\(name.value)' may only hold letters, digits, '-' and '_'", at: name.mark)
        }
        let endpoints = decodeEndpoints(org)
        let clientID = clientIDReference(org)
        let clientSecret = org.secret("clientSecret", required: true, literals: literalSecrets)
        let integrationID = org.string("integrationId", required: true)
        let webhookSecrets = org.secrets("webhookSecret", maximum: 2, literals: literalSecrets)
        let messageTypes = org.strings("messageTypes") ?? ConfigDefaults.messageTypes.map { Located($0, at: org.mark) }
        if org.has("messageTypes"), messageTypes.isEmpty {
            diagnostics.report("'messageTypes' in orgs[\(index)] must name at least one message type", at: org.mark)
        }
        let errorPolicy = org.string("errorPolicy") ?? Located(ConfigDefaults.errorPolicy, at: org.mark)
        let settings = OrgSettingsBlock.read(org, over: base, localFiles: literalSecrets)
        let isDefault = org.bool("default") ?? false

        guard diagnostics.errors.count == before, let name, let endpoints, let clientID, let clientSecret,
              let integrationID
        else { return nil }
        return OrgConfig(
            name: name.value, mark: org.mark, isDefault: isDefault, endpoints: endpoints, clientID: clientID,
            clientSecret: clientSecret, integrationID: integrationID.value, webhookSecrets: webhookSecrets,
            messageTypes: messageTypes, errorPolicy: errorPolicy, rateLimit: settings.rateLimit,
            circuitBreaker: settings.circuitBreaker, retry: settings.retry, http: settings.http, expiry: settings.expiry)
    }

    /// A client id is not secret, so it may be written plainly or (where references are taken) by reference.
    private func clientIDReference(_ org: MappingReader) -> SecretReference? {
        guard let located = org.string("clientId", required: true) else { return nil }
        guard let reference = literalSecrets.clientID(from: located.value) else {
            diagnostics.report(literalSecrets.refusal(of: "'clientId' in \(org.context)"), at: located.mark)
            return nil
        }
        return reference
    }

    private func decodeEndpoints(_ org: MappingReader) -> GenesysEndpoints? {
        let region = org.string("region")
        let apiBase = org.string("apiBaseURL")
        let loginBase = org.string("loginBaseURL")
        for url in [apiBase, loginBase].compactMap({ $0 }) where !Self.isHTTPURL(url.value) {
            diagnostics.report("'\(url.value)' is not an http:// or https:// URL", at: url.mark)
        }
        switch (region, apiBase, loginBase) {
        case (_, .some(let api), .some(let login)):
            return GenesysEndpoints(apiBaseURL: Self.trimSlash(api.value), loginBaseURL: Self.trimSlash(login.value), region: region?.value)
        case (.some(let region), nil, nil):
            guard let endpoints = GenesysEndpoints.forRegion(region.value) else {
                diagnostics.report(
                    "unknown region '\(region.value)' (known: \(GenesysEndpoints.regionDomains.joined(separator: ", ")))",
                    at: region.mark)
                return nil
            }
            return endpoints
        case (nil, nil, nil):
            diagnostics.report("\(org.context) needs a 'region' or both 'apiBaseURL' and 'loginBaseURL'", at: org.mark)
            return nil
        default:
            diagnostics.report("\(org.context) must set both 'apiBaseURL' and 'loginBaseURL' when it sets either", at: org.mark)
            return nil
        }
    }

    private func decodePluginSettings(_ tenant: MappingReader) -> [String: String] {
        guard let node = tenant.node("plugins") else { return [:] }
        guard case .mapping(let pairs, _) = node else {
            diagnostics.report("'plugins' must map plugin names to their settings, got \(node.kindName)", at: node.mark)
            return [:]
        }
        var settings: [String: String] = [:]
        for (key, value) in pairs {
            switch value {
            case .mapping: settings[key.name] = value.jsonText
            case .scalar("", true, _): settings[key.name] = "{}"
            default: diagnostics.report("settings of plugin '\(key.name)' must be a mapping", at: value.mark)
            }
        }
        return settings
    }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64
            && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSetASCII.isAlphanumeric($0) || $0 == "-" || $0 == "_") }
    }

    private static func isHTTPURL(_ text: String) -> Bool {
        (text.hasPrefix("http://") || text.hasPrefix("https://")) && text.count > 8 && !text.contains(" ")
    }

    private static func trimSlash(_ text: String) -> String {
        text.hasSuffix("/") ? String(text.dropLast()) : text
    }
}

private enum CharacterSetASCII {
    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
