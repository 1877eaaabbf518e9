import Foundation

/// An `amqp://` or `amqps://` URL, split into the part rabbitmq-c parses (user, password, host, port, vhost) and the
/// query parameters of RabbitMQ's URI spec (https://www.rabbitmq.com/docs/uri-query-parameters) that the gateway reads
/// itself: rabbitmq-c's `amqp_parse_url` refuses any query.
///
///     amqps://user:password@broker.example:5671/%2F?cacertfile=/etc/ggw/ca.pem&certfile=/etc/ggw/client.pem&keyfile=/etc/ggw/client-key.pem
///
/// Parameters: `cacertfile`, `certfile`, `keyfile`, `verify` (`verify_peer`, the default, or `verify_none`),
/// `server_name_indication`, `auth_mechanism` (`plain`, the default, or `external`). Anything else is refused by name,
/// so that a misspelt `verify=verify_peer` never leaves a connection unchecked.
package struct AMQPURL: Sendable, Equatable {
    /// The URL without its query: what `amqp_parse_url` reads. It holds the password: never log it.
    package var withoutQuery: String
    /// How to set up TLS; nil for `amqp://`.
    package var tls: AMQPTLSSettings?
    package var authMechanism: AMQPAuthMechanism

    /// The RabbitMQ user the connection logs in as, when the URL says: with PLAIN the URL's user (`guest` when it
    /// names none, as rabbitmq-c does); with EXTERNAL none — the broker takes the user from the client certificate
    /// (by its `ssl_cert_login_from` setting) and ignores the URL's. What the connection stamps as `user_id` on its
    /// publishes, which RabbitMQ refuses unless it is that user.
    package var userName: String? {
        guard authMechanism == .plain else { return nil }
        let authority = withoutQuery.drop { $0 != "/" }.dropFirst(2).prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@") else { return "guest" }
        let named = String(authority[..<at].prefix { $0 != ":" }).removingPercentEncoding ?? ""
        return named.isEmpty ? "guest" : named
    }

    /// The parameters the gateway knows, in the order its errors list them.
    static let parameters = ["cacertfile", "certfile", "keyfile", "verify", "server_name_indication", "auth_mechanism"]
    /// The parameters that only mean something with TLS.
    private static let tlsParameters: Set<String> = ["cacertfile", "certfile", "keyfile", "verify", "server_name_indication"]

    /// Splits `url` and reads its query.
    /// - Throws: ``AMQPURLError`` naming the parameter at fault; its message never holds the URL (nor the password in it).
    package init(parsing url: String) throws(AMQPURLError) {
        let query: Substring
        if let mark = url.firstIndex(of: "?") {
            withoutQuery = String(url[..<mark])
            query = url[url.index(after: mark)...]
        } else {
            withoutQuery = url
            query = ""
        }
        // rabbitmq-c takes only these two schemes, in lower case; anything else fails in amqp_parse_url.
        let isTLS = withoutQuery.hasPrefix("amqps://")
        let values = try Self.values(of: query)

        for name in Self.parameters where !isTLS && values[name] != nil && Self.tlsParameters.contains(name) {
            throw AMQPURLError(.needsTLS, parameter: name, "only an amqps:// URL takes it; this one is amqp://, not encrypted")
        }
        authMechanism = try Self.authMechanism(values["auth_mechanism"])
        guard isTLS else {
            if authMechanism == .external {
                throw AMQPURLError(.needsTLS, parameter: "auth_mechanism", "external needs an amqps:// URL with a client certificate")
            }
            tls = nil
            return
        }
        let settings = try Self.tlsSettings(values)
        if authMechanism == .external, settings.clientCertificate == nil {
            throw AMQPURLError(
                .incomplete, parameter: "auth_mechanism",
                "external logs in as the user the client certificate names: give certfile and keyfile")
        }
        tls = settings
    }

    /// The parameters of `query`, percent-decoded, each at most once.
    private static func values(of query: Substring) throws(AMQPURLError) -> [String: String] {
        var values: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawName = parts.first ?? ""
            guard let name = String(rawName).removingPercentEncoding else {
                throw AMQPURLError(.invalidEncoding, parameter: String(rawName), "its name is not valid percent-encoding")
            }
            // The value is not repeated: an unknown parameter may be a secret (Erlang's `password` for the key file).
            guard parameters.contains(name) else {
                throw AMQPURLError(.unknownParameter, parameter: name, "not a parameter the gateway knows; it takes \(parameters.joined(separator: ", "))")
            }
            guard values[name] == nil else {
                throw AMQPURLError(.repeatedParameter, parameter: name, "given more than once")
            }
            guard let rawValue = parts.dropFirst().first, !rawValue.isEmpty else {
                throw AMQPURLError(.missingValue, parameter: name, "has no value")
            }
            guard let value = String(rawValue).removingPercentEncoding else {
                throw AMQPURLError(.invalidEncoding, parameter: name, "its value is not valid percent-encoding")
            }
            values[name] = value
        }
        return values
    }

    private static func authMechanism(_ value: String?) throws(AMQPURLError) -> AMQPAuthMechanism {
        guard let value else { return .plain }
        guard let mechanism = AMQPAuthMechanism(rawValue: value.lowercased()) else {
            throw AMQPURLError(.invalidValue, parameter: "auth_mechanism", "'\(value)' is not plain or external")
        }
        return mechanism
    }

    private static func tlsSettings(_ values: [String: String]) throws(AMQPURLError) -> AMQPTLSSettings {
        var settings = AMQPTLSSettings()
        settings.caCertificateFile = values["cacertfile"]
        switch (values["certfile"], values["keyfile"]) {
        case (let certificate?, let key?):
            settings.clientCertificate = .init(certificateFile: certificate, keyFile: key)
        case (nil, nil):
            break
        case (_?, nil):
            throw AMQPURLError(.incomplete, parameter: "certfile", "needs keyfile, the client certificate's private key")
        case (nil, _?):
            throw AMQPURLError(.incomplete, parameter: "keyfile", "needs certfile, the client certificate it is the key of")
        }
        if let verify = values["verify"] {
            guard let verification = AMQPTLSSettings.Verification(rawValue: verify) else {
                throw AMQPURLError(.invalidValue, parameter: "verify", "'\(verify)' is not verify_peer or verify_none")
            }
            settings.verification = verification
        }
        if let serverName = values["server_name_indication"] {
            settings.serverName = try Self.serverName(serverName)
        }
        return settings
    }

    /// A host name to send as SNI and to find in the broker's certificate. Erlang's `disable` is refused: turning off
    /// the host-name check silently is what `verify=verify_none` is for, said out loud.
    private static func serverName(_ value: String) throws(AMQPURLError) -> String {
        guard value != "disable" else {
            throw AMQPURLError(
                .invalidValue, parameter: "server_name_indication",
                "'disable' is not supported: name the host the broker's certificate is for, or use verify=verify_none")
        }
        let allowed = value.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        guard allowed, value.utf8.count <= AMQPTLSSettings.maxServerNameLength else {
            throw AMQPURLError(
                .invalidValue, parameter: "server_name_indication",
                "'\(value)' is not a host name (letters, digits, '-' and '.', at most \(AMQPTLSSettings.maxServerNameLength) characters)")
        }
        return value
    }
}

/// How the connection logs in (the URL's `auth_mechanism`).
package enum AMQPAuthMechanism: String, Sendable {
    /// SASL PLAIN with the URL's user and password.
    case plain
    /// SASL EXTERNAL: the broker takes the user from the TLS client certificate (RabbitMQ's
    /// rabbitmq_auth_mechanism_ssl plugin); the URL's password is not used.
    case external
}
