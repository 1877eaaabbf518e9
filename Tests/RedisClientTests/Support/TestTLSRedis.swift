import Foundation
import RedisClient

/// The TLS port of the redis-server the test command started (`scripts/with-redis.sh` turns it on and exports
/// `GGW_REDIS_TLS_URL` and `GGW_REDIS_TLS_CERTS`), and the test certificates `scripts/make-redis-test-certs.sh` made.
enum TestTLSRedis {
    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "GGW_REDIS_TLS_URL or GGW_REDIS_TLS_CERTS is not set: run the tests under scripts/with-redis.sh (scripts/test.sh "
                + "does), e.g. `bash scripts/with-redis.sh swift test --filter RedisTLSIntegrationTests`"
        }
    }

    /// The server's TLS port (client certificates optional there).
    static func port() throws -> Int {
        guard let text = ProcessInfo.processInfo.environment["GGW_REDIS_TLS_URL"], !text.isEmpty else { throw NotConfigured() }
        return try RedisURL(parsing: text).port
    }

    /// The folder of the test certificates.
    static func certificates() throws -> String {
        guard let folder = ProcessInfo.processInfo.environment["GGW_REDIS_TLS_CERTS"], !folder.isEmpty else {
            throw NotConfigured()
        }
        return folder
    }

    /// A path in the certificates' folder: `ca.pem`, `client.pem`, `wrong-ca.pem`, …
    static func file(_ name: String) throws -> String {
        try certificates() + "/" + name
    }

    /// `rediss://[user@]host:port/0?query` as text, `{certs}` in `query` standing for the certificates' folder.
    static func urlText(host: String = "localhost", port: Int? = nil, user: String? = nil, query: String) throws -> String {
        let resolvedPort = try port ?? Self.port()
        let filledQuery = query.replacingOccurrences(of: "{certs}", with: try certificates())
        return "rediss://\(user.map { "\($0)@" } ?? "")\(host):\(resolvedPort)/0" + (filledQuery.isEmpty ? "" : "?" + filledQuery)
    }

    /// The same, parsed.
    static func url(host: String = "localhost", port: Int? = nil, user: String? = nil, query: String = "ssl_ca_certs={certs}/ca.pem") throws -> RedisURL {
        try RedisURL(parsing: try urlText(host: host, port: port, user: user, query: query))
    }

    /// A blocking connection, for tests that look at the connect itself.
    static func connect(_ url: RedisURL, password: String? = nil, minimumServerVersion: RedisServerVersion? = nil) throws(RedisError) -> RedisConnection {
        try RedisConnection(
            url: url, password: password, clientName: "redis-tls-tests", connectTimeout: .seconds(2), commandTimeout: .seconds(2),
            minimumServerVersion: minimumServerVersion)
    }

    /// What a connect to `url` fails with; nil when it succeeds.
    static func connectError(_ url: RedisURL, password: String? = nil) -> RedisError? {
        do {
            _ = try connect(url, password: password)
            return nil
        } catch {
            return error
        }
    }
}
