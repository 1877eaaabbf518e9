//
// FaultRule.swift — GenesysSandbox
// Which client or integration a set of faults applies to.
//

/// What faults are aimed at: every request of one OAuth client, or every request naming one integration.
public enum FaultTarget: Sendable, Hashable, Codable, CustomStringConvertible {
    case client(String)
    case integration(String)

    /// `client:ID` or `integration:ID`.
    public var description: String {
        switch self {
        case .client(let id): return "client:\(id)"
        case .integration(let id): return "integration:\(id)"
        }
    }
}

/// Faults for one target, as listed in the config file (`{"client": "acme-client", "settings": {...}}`
/// or `{"integration": "...", "settings": {...}}`) or given by `--fault`.
public struct FaultRule: Sendable, Equatable, Codable {
    /// Whom the faults hit.
    public var target: FaultTarget
    /// What the faults are.
    public var settings: FaultSettings

    /// - Parameters:
    ///   - target: a client or an integration.
    ///   - settings: its faults.
    public init(target: FaultTarget, settings: FaultSettings) {
        self.target = target
        self.settings = settings
    }

    /// Parses the `--fault` flag: `client:ID:key=value,...` or `integration:ID:key=value,...`.
    public init(flagValue: String) throws {
        let parts = flagValue.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, !parts[1].isEmpty else {
            throw SandboxError.invalidConfiguration(
                "--fault \(flagValue): expected client:ID:key=value,... or integration:ID:key=value,...")
        }
        switch parts[0] {
        case "client": target = .client(parts[1])
        case "integration": target = .integration(parts[1])
        default: throw SandboxError.invalidConfiguration("--fault \(flagValue): target must be client or integration")
        }
        settings = try FaultSettings(flagValue: parts[2])
    }

    private enum CodingKeys: String, CodingKey { case client, integration, settings }

    /// Decodes `{"client"|"integration": ID, "settings": {...}}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let client = try container.decodeIfPresent(String.self, forKey: .client) {
            target = .client(client)
        } else if let integration = try container.decodeIfPresent(String.self, forKey: .integration) {
            target = .integration(integration)
        } else {
            throw SandboxError.invalidConfiguration("a fault rule needs \"client\" or \"integration\"")
        }
        settings = try container.decodeIfPresent(FaultSettings.self, forKey: .settings) ?? FaultSettings()
    }

    /// Encodes the same shape `init(from:)` reads.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch target {
        case .client(let id): try container.encode(id, forKey: .client)
        case .integration(let id): try container.encode(id, forKey: .integration)
        }
        try container.encode(settings, forKey: .settings)
    }
}
