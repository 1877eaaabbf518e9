import Foundation
public import GatewayCore

/// Where the tenant service is and how it is asked (`--tenant-service-url`, `--tenant-service-token`,
/// `--tenant-service-interval`).
public struct TenantServiceSettings: Sendable {
    /// The document's URL: `https://`, or `http://` to this machine (``loopbackHosts``).
    public var url: String
    /// Whether the document may name secrets (and client ids) by `env:` / `file:` reference
    /// (`--tenant-service-allow-references`): a reference has the gateway read its own environment or files
    /// for whoever controls the service, so values are the rule and references the operator's explicit choice.
    public var allowsReferences: Bool
    /// Sent as `Authorization: Bearer`, resolved at every fetch (a rotated token file is picked up); nil sends none.
    public var token: SecretReference?
    /// Time between two fetches.
    public var pollInterval: Duration
    /// Time one fetch may take, connecting included.
    public var requestTimeout: Duration
    /// The largest answer read.
    public var maxDocumentBytes: Int

    /// Hosts whose answers never cross a network (the only ones besides https that may send secret values).
    static let loopbackHosts: Set<String> = ["127.0.0.1", "::1", "[::1]", "localhost"]

    public init(
        url: String, token: SecretReference? = nil, pollInterval: Duration = .seconds(30), requestTimeout: Duration = .seconds(10),
        maxDocumentBytes: Int = 8 << 20, allowsReferences: Bool = false
    ) {
        self.url = url
        self.allowsReferences = allowsReferences
        self.token = token
        self.pollInterval = pollInterval
        self.requestTimeout = requestTimeout
        self.maxDocumentBytes = maxDocumentBytes
    }

    /// Why `url` cannot be a tenant service URL; nil when it can.
    public static func problem(with url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty
        else { return "must be an http:// or https:// URL with a host" }
        guard components.user == nil, components.password == nil else {
            return "must not carry credentials; pass the token with --tenant-service-token"
        }
        // Its answer carries secrets and says where the gateway sends them: it must not cross a network unprotected.
        guard scheme == "https" || loopbackHosts.contains(host.lowercased()) else {
            return "must be https://, or http:// to 127.0.0.1, ::1 or localhost (the document carries secrets)"
        }
        return nil
    }

    /// The URL as logs and errors show it.
    public var displayURL: String { URLRedaction.hidingPassword(in: url) }

    /// Values always (the URL is https or loopback, ``problem(with:)``); references only when allowed.
    public var literalSecrets: LiteralSecretPolicy {
        allowsReferences
            ? .accepted
            : .valuesOnly(
                hint: "the tenant service sends secrets and client ids as values; a reference would have the gateway read its own environment or files for the service (allow it with --tenant-service-allow-references)")
    }
}
