import ArgumentParser
import Foundation
import GatewayApp
import GatewayCore
import RedisClient

/// Shared mode's options for `run`: where Redis is, who this replica is and how long other replicas can find its
/// receipts there. Without a Redis URL (option or environment) the gateway runs alone, and the others are refused.
struct SharedModeOptions: ParsableArguments {
    @Option(help: "Shared mode: redis://[USER@]HOST:PORT[/DB], or rediss://… for TLS with ?ssl_ca_certs=, ssl_certfile=, ssl_keyfile=, ssl_cert_reqs=, ssl_check_hostname= (env GGW_REDIS_URL; no password in it). Org rate limits and tokens are kept there, one for all replicas.")
    var redisURL: String?

    @Option(help: "Where the Redis password is, as env:NAME or file:/path (shared mode only); with USER@ in the URL, that ACL user's.")
    var redisPassword: String?

    @Option(help: "This replica's id in shared mode, unique in the cluster (default <host>-<pid>).")
    var replicaId: String?

    @Option(help: "Shared mode: minutes a receipt stays in Redis, where every replica finds it (env GGW_SHARED_RECEIPT_RETENTION_MINUTES; 10 to 525600, at most the record's retention; 1440). Redis memory: about 250 bytes per message of that window.")
    var sharedReceiptRetentionMinutes: Int?

    /// The settings, or nil without a Redis URL.
    func settings() throws -> SharedModeSettings? {
        let retentionMinutes = try GatewayEnvironment.integer(
            sharedReceiptRetentionMinutes, option: "--shared-receipt-retention-minutes",
            environment: "GGW_SHARED_RECEIPT_RETENTION_MINUTES", in: 10...525_600, unit: "minutes")
        guard let redisURL = redisURL ?? GatewayEnvironment.value("GGW_REDIS_URL") else {
            guard redisPassword == nil else { throw ValidationError("--redis-password needs --redis-url") }
            guard sharedReceiptRetentionMinutes == nil else { throw ValidationError("--shared-receipt-retention-minutes needs --redis-url") }
            return nil
        }
        let url: RedisURL
        do {
            url = try RedisURL(parsing: redisURL)
        } catch {
            throw ValidationError("--redis-url: \(error)")
        }
        var password: Secret?
        if let redisPassword {
            guard let reference = SecretReference(parsing: redisPassword) else {
                throw ValidationError("--redis-password must be env:NAME or file:/absolute/path, not the password itself")
            }
            do {
                password = try SecretResolver().resolve(reference)
            } catch {
                throw ValidationError("--redis-password: \(error)")
            }
        }
        if let user = url.user, password == nil {
            throw ValidationError("--redis-url names the ACL user '\(user)': give its password with --redis-password env:NAME|file:/path")
        }
        let replicaID = replicaId ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        return SharedModeSettings(
            url: url, password: password, replicaID: replicaID,
            receiptRetention: retentionMinutes.map { .seconds($0 * 60) } ?? SharedModeSettings.defaultReceiptRetention)
    }
}
