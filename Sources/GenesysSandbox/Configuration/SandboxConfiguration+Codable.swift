//
// SandboxConfiguration+Codable.swift — GenesysSandbox
// Decoding the config file with defaults for every optional key, and loading it from disk.
//

import Foundation

extension SandboxConfiguration {
    enum CodingKeys: String, CodingKey {
        case host, port, orgs, defaultTokenLifetimeSeconds, defaultRatePerMinute, webhook
        case rejectUnknownProperties, modelsPath, maxBodyBytes, maxRecordedMessages, faults, tls
    }

    /// Decodes the config-file shape; missing optional keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SandboxConfiguration()
        self.init(
            host: try container.decodeIfPresent(String.self, forKey: .host) ?? defaults.host,
            port: try container.decodeIfPresent(Int.self, forKey: .port) ?? defaults.port,
            orgs: try container.decodeIfPresent([Org].self, forKey: .orgs) ?? [],
            defaultTokenLifetimeSeconds: try container.decodeIfPresent(Int.self, forKey: .defaultTokenLifetimeSeconds)
                ?? defaults.defaultTokenLifetimeSeconds,
            defaultRatePerMinute: try container.decodeIfPresent(Int.self, forKey: .defaultRatePerMinute)
                ?? defaults.defaultRatePerMinute,
            webhook: try container.decodeIfPresent(WebhookPolicy.self, forKey: .webhook) ?? defaults.webhook,
            rejectUnknownProperties: try container.decodeIfPresent(Bool.self, forKey: .rejectUnknownProperties)
                ?? false,
            modelsPath: try container.decodeIfPresent(String.self, forKey: .modelsPath),
            maxBodyBytes: try container.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? defaults.maxBodyBytes,
            maxRecordedMessages: try container.decodeIfPresent(Int.self, forKey: .maxRecordedMessages)
                ?? defaults.maxRecordedMessages,
            faults: try container.decodeIfPresent([FaultRule].self, forKey: .faults) ?? [],
            tls: try container.decodeIfPresent(SandboxTLS.self, forKey: .tls)
        )
    }

    /// Reads a JSON config file.
    /// - Parameter path: the file.
    public static func load(fromFile path: String) throws -> SandboxConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SandboxError.invalidConfiguration("cannot read config file \(path)")
        }
        do {
            return try JSONDecoder().decode(SandboxConfiguration.self, from: data)
        } catch {
            throw SandboxError.invalidConfiguration("config file \(path): \(error)")
        }
    }
}

extension SandboxConfiguration.Org {
    enum CodingKeys: String, CodingKey { case id, clients, integrations }

    /// Decodes the config-file shape; missing optional keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id),
            clients: try container.decodeIfPresent([SandboxConfiguration.Client].self, forKey: .clients) ?? [],
            integrations: try container.decodeIfPresent([SandboxConfiguration.Integration].self, forKey: .integrations)
                ?? []
        )
    }
}

extension SandboxConfiguration.WebhookPolicy {
    enum CodingKeys: String, CodingKey { case retries, retryIntervalMilliseconds, timeoutMilliseconds, caFile }

    /// Decodes the config-file shape; missing optional keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Self()
        self.init(
            retries: try container.decodeIfPresent(Int.self, forKey: .retries) ?? defaults.retries,
            retryIntervalMilliseconds: try container.decodeIfPresent(Int.self, forKey: .retryIntervalMilliseconds)
                ?? defaults.retryIntervalMilliseconds,
            timeoutMilliseconds: try container.decodeIfPresent(Int.self, forKey: .timeoutMilliseconds)
                ?? defaults.timeoutMilliseconds,
            caFile: try container.decodeIfPresent(String.self, forKey: .caFile)
        )
    }
}
