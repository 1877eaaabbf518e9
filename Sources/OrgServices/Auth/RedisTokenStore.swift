import Crypto
import Foundation
public import GatewayCore
public import Logging
public import RedisClient

/// One org's OAuth token for every gateway replica at once, kept in Redis.
///
/// The token lives at ``key(for:credentials:)`` with a TTL of its lifetime minus a margin (a tenth, at most 60 s), so no
/// replica uses it in its last moments. Each replica keeps what it read for up to `recheck`, then reads again
/// in the background while it goes on using it. A replica that finds no token takes the renewal lock
/// (``lockKey(for:credentials:)``, `SET NX PX` with a lease longer than a login request may take), asks the login host
/// (``OAuthTokenRequest``, as the in-memory store does), stores the token and lets go of the lock
/// (compare-and-delete, so it never frees a lock another replica took after its lease ran out); the others
/// poll every `pollInterval` until the token is there, or until the lease of a holder that died runs out and
/// one of them takes over. So the cluster makes one token request per token, whatever the replica count.
///
/// ``invalidate(_:)`` after a 401 deletes the stored token only while it is still the refused one: the first
/// replica to see the 401 drops it, one replica renews, and the others, when their next call with the old
/// token is refused too, find the new one instead of renewing again.
///
/// While Redis is unreachable the replica uses its own in-memory ``OAuthTokenStore`` (`fallback`) and says
/// so in its log once; each replica then logs in by itself (a token request each), and they go back to the
/// shared token once Redis answers again. A failing login host is backed off as in the in-memory store, per
/// replica.
public actor RedisTokenStore: TokenProviding, TokenRenewalCounting {
    private let org: OrgKey
    private let client: RedisClient
    private let login: OAuthTokenRequest
    private let fallback: OAuthTokenStore
    private let clock: any MonotonicClock
    private let logger: Logger
    private let key: String
    private let lockKey: String
    /// This store's lock value: which replica holds the lock, unique per store.
    private let owner: String
    private let lease: Duration
    private let recheck: Duration
    private let pollInterval: Duration

    private var current: AccessToken? {
        didSet { held.hold(current) }
    }
    private nonisolated let held: HeldTokenExpiry
    private var fetching: Task<AccessToken, any Error>?
    private var failures = TokenRenewalFailures()
    private var requests = 0
    /// Whether the last call went to the fallback, so the switch either way is logged once.
    private var usingFallback = false

    /// - Parameters:
    ///   - replicaID: names this replica in the lock's value.
    ///   - fallback: this replica's own store, used while Redis cannot be reached.
    ///   - lease: how long the renewal lock holds when its holder dies; by default the login request's whole
    ///     timeout and 2 s more.
    ///   - recheck: how long a token read from Redis is used before reading again.
    ///   - pollInterval: how often a replica waiting for another's renewal looks again.
    public init(
        org: OrgKey, credentials: OAuthTokenStore.Credentials, http: any HTTPClient, client: RedisClient, replicaID: String,
        fallback: OAuthTokenStore, clock: any MonotonicClock, logger: Logger, lease: Duration? = nil,
        recheck: Duration = .seconds(5), pollInterval: Duration = .milliseconds(50)
    ) {
        self.org = org
        self.client = client
        login = OAuthTokenRequest(credentials: credentials, http: http)
        self.fallback = fallback
        self.clock = clock
        held = HeldTokenExpiry(clock: clock)
        var logger = logger
        logger[metadataKey: "tenant.id"] = "\(org.tenantID)"
        logger[metadataKey: "org.name"] = "\(org.orgName)"
        self.logger = logger
        key = Self.key(for: org, credentials: credentials)
        lockKey = Self.lockKey(for: org, credentials: credentials)
        owner = "\(replicaID)/\(UUID().uuidString)"
        self.lease = lease ?? credentials.connectTimeout + credentials.totalTimeout + .seconds(2)
        self.recheck = recheck
        self.pollInterval = pollInterval
    }

    /// What every token key of the org starts with; the braces are a Redis Cluster hash tag (all of an org's keys
    /// on one shard).
    public static func keyPrefix(for org: OrgKey) -> String { "ggw:{\(org.tenantID)/\(org.orgName)}:token:" }

    /// The org's token key for one OAuth client: the prefix and ``clientFingerprint(_:)``. A token is the
    /// client's it was issued to, so after the org's credentials change (another client, another login host)
    /// the replicas log in afresh instead of using the old client's token until it expires.
    public static func key(for org: OrgKey, credentials: OAuthTokenStore.Credentials) -> String {
        keyPrefix(for: org) + clientFingerprint(credentials)
    }

    /// The renewal lock of the org's token for one OAuth client.
    public static func lockKey(for org: OrgKey, credentials: OAuthTokenStore.Credentials) -> String {
        key(for: org, credentials: credentials) + ":lock"
    }

    /// The login host and client id, hashed (SHA-256, the first 8 bytes in hex): names the client in a key without
    /// writing its id into Redis. The secret is left out: a new secret for the same client leaves its tokens valid.
    static func clientFingerprint(_ credentials: OAuthTokenStore.Credentials) -> String {
        let digest = SHA256.hash(data: Array("\(credentials.loginBaseURL)\n\(credentials.clientID.reveal())".utf8))
        return digest.prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Token requests this replica made for the org, through Redis and through its fallback.
    public var renewals: Int {
        get async { requests + (await fallback.renewals) }
    }

    public nonisolated var holdsUsableToken: Bool { held.isUsable }

    public func token() async throws -> AccessToken {
        let now = clock.now()
        if let current, now < current.expiresAt {
            if now >= current.renewAt { startFetch() }
            return current
        }
        return try await startFetch().value
    }

    public func invalidate(_ token: AccessToken) async {
        if current?.value == token.value { current = nil }
        do {
            let deleted = try await client.evalSHA(
                CompareAndDeleteScript.script, keys: [key], arguments: [token.value.reveal()])
            recovered()
            if deleted.integer == 1 { logger.info("token refused by Genesys, renewing it for every replica") }
        } catch {
            failed(error)
        }
        await fallback.invalidate(token)
    }

    /// The read (or renewal) in flight, or a new one.
    @discardableResult
    private func startFetch() -> Task<AccessToken, any Error> {
        if let fetching { return fetching }
        let task = Task { try await self.fetch() }
        fetching = task
        return task
    }

    private func fetch() async throws -> AccessToken {
        defer { fetching = nil }
        do {
            let token = try await readOrRenew()
            recovered()
            current = token
            return token
        } catch let error as RedisError {
            failed(error)
            var token = try await fallback.token()
            // Try Redis again after `recheck`; meanwhile the fallback's token serves.
            token.renewAt = min(token.expiresAt, clock.now() + recheck)
            current = token
            return token
        }
    }

    /// The stored token; or, when there is none, the one this replica renews under the lock or another
    /// replica stores meanwhile.
    private func readOrRenew() async throws -> AccessToken {
        // Past two leases something is wrong with the lock itself: then the fallback serves.
        let deadline = clock.now() + lease * 2
        while true {
            if let token = try await read() { return token }
            if let pending = failures.pending(at: clock.now()) { throw pending }
            if try await lock() {
                do {
                    let token = try await renew()
                    await unlock()
                    return token
                } catch {
                    await unlock()
                    throw error
                }
            }
            guard clock.now() < deadline else {
                throw RedisError(
                    .timeout, operation: "token lock", address: client.url.description,
                    message: "no token for org \(org) after waiting \(lease * 2) for another replica's renewal")
            }
            try await clock.sleep(for: pollInterval)
        }
    }

    /// The token in Redis, used locally until its key expires (reading again after `recheck`).
    private func read() async throws -> AccessToken? {
        async let value = client.send("GET", key)
        async let remaining = client.send("PTTL", key)
        let (stored, milliseconds) = try await (value, remaining)
        let now = clock.now()
        guard case .bulk(let bytes) = stored, !bytes.isEmpty, let milliseconds = milliseconds.integer, milliseconds > 0 else {
            return nil
        }
        let expiresAt = now + .milliseconds(milliseconds)
        return AccessToken(
            value: Secret(String(decoding: bytes, as: UTF8.self)), renewAt: min(expiresAt, now + recheck), expiresAt: expiresAt)
    }

    private func lock() async throws -> Bool {
        let reply = try await client.send("SET", lockKey, owner, "NX", "PX", Int64(clamping: lease.millisecondsRoundedUp))
        if let message = reply.errorMessage {
            throw RedisError(.serverError, operation: "SET NX", address: client.url.description, message: message)
        }
        return reply.string == "OK"
    }

    private func unlock() async {
        _ = try? await client.evalSHA(CompareAndDeleteScript.script, keys: [lockKey], arguments: [owner])
    }

    /// Holding the lock: asks the login host and stores the token for everybody.
    private func renew() async throws -> AccessToken {
        // Another replica may have stored one between this replica's read and its lock.
        if let token = try await read() { return token }
        requests += 1
        let issued = clock.now()
        do {
            let grant = try await login.execute()
            let margin = min(grant.lifetime / 10, .seconds(60))
            let shared = max(grant.lifetime - margin, .milliseconds(1))
            failures.reset()
            do {
                let reply = try await client.send(
                    "SET", key, grant.value.reveal(), "PX", Int64(clamping: shared.millisecondsRoundedUp))
                if let message = reply.errorMessage { logger.warning("token not stored in Redis", metadata: ["redis.error": "\(message)"]) }
            } catch {
                // The token is good even if Redis went away after the lock: use it; the others renew on their own.
                logger.warning("token not stored in Redis", metadata: ["redis.error": "\(error)"])
            }
            logger.debug("token renewed for every replica", metadata: ["token.lifetime.s": "\(grant.lifetime.components.seconds)"])
            let expiresAt = issued + shared
            return AccessToken(value: grant.value, renewAt: min(expiresAt, issued + recheck), expiresAt: expiresAt)
        } catch let failure as OAuthTokenRequest.Failure {
            throw failures.record(failure, org: org, now: clock.now(), logger: logger)
        }
    }

    private func failed(_ error: any Error) {
        guard !usingFallback else { return }
        usingFallback = true
        logger.warning(
            "Redis unreachable: org token comes from this replica's own store", metadata: ["redis.error": "\(error)"])
    }

    private func recovered() {
        guard usingFallback else { return }
        usingFallback = false
        logger.info("Redis reachable again: org token shared again")
    }
}
