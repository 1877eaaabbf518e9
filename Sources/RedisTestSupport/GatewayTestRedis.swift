import Foundation
import Logging
import RedisClient

/// The redis-server the test command starts (`GGW_REDIS_URL`, exported by scripts/with-redis.sh), for the gateway's
/// shared-mode tests. Tests that need it fail without it rather than skip, so a run that forgot the server does not
/// pass by doing nothing.
public enum GatewayTestRedis {
    public struct NotConfigured: Error, CustomStringConvertible {
        public var description: String {
            "GGW_REDIS_URL is not set: run the tests under scripts/with-redis.sh (scripts/test.sh does)"
        }
    }

    /// A client of the test server, or of `url` when given.
    public static func client(url: RedisURL? = nil, logger: Logger) throws -> RedisClient {
        guard let resolved = try url ?? ProcessInfo.processInfo.environment["GGW_REDIS_URL"].map(RedisURL.init(parsing:))
        else { throw NotConfigured() }
        return RedisClient(configuration: RedisConfiguration(url: resolved), logger: logger)
    }
}
