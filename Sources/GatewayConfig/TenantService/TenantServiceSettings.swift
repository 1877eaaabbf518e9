import Foundation
public import GatewayCore

/// Where the tenant service is and how it is asked (`--tenant-service-url`, `--tenant-service-token`,
/// `--tenant-service-interval`).
public struct TenantServiceSettings: Sendable {
    /// The document's URL, `http://` or `https://`.
    public var url: String
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
        maxDocumentBytes: Int = 8 << 20
    ) {
        self.url = url
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
        return nil
    }

    /// The URL as logs and errors show it.
    public var displayURL: String { URLRedaction.hidingPassword(in: url) }

    /// Secret values are accepted over https, or over http from this machine; otherwise they would have crossed
    /// the network readable by anyone on the way.
    public var literalSecrets: LiteralSecretPolicy {
        let components = URLComponents(string: url)
        if components?.scheme?.lowercased() == "https" { return .accepted }
        if let host = components?.host?.lowercased(), Self.loopbackHosts.contains(host) { return .accepted }
        return .refused(
            hint: "secret values are accepted only from a tenant service reached over https or on 127.0.0.1, ::1 or localhost, and \(displayURL) is neither")
    }
}
