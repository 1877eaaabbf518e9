import Foundation
import RedisClient

/// The replicas' heartbeats in two keys: a hash of records (id → ``ReplicaRecord`` JSON) and a sorted set of
/// deadlines (id → the Redis time in ms after which the replica counts as gone). A beat costs one `EVALSHA`
/// whatever else the database holds: the earlier design (one key per replica, found with `SCAN`) walked every
/// receipt, status and conversation key on each beat, ~10 k round trips at 10 M keys, longer than the heartbeat's
/// own TTL. Deadlines are Redis' clock, so replicas with skewed clocks agree on who is alive.
///
/// Both keys carry the hash tag `{replicas}`: one slot, so a Redis Cluster keeps them on one node.
package enum ReplicaHeartbeatScripts {
    package static let recordsKey = "ggw:{replicas}:records"
    package static let deadlinesKey = "ggw:{replicas}:deadlines"
    /// How long the two keys outlive the last beat of the last replica: nothing is left behind by a cluster gone for good.
    static let abandonedAfterMilliseconds: Int64 = 86_400_000
    /// Most replicas listed: more than this is not a deployment this was made for.
    static let maximumListed = 1000

    /// Redis' own time in ms, for the scripts.
    private static let now = """
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        """

    /// KEYS[1] records, KEYS[2] deadlines; ARGV[1] id, ARGV[2] record, ARGV[3] time to live (ms), ARGV[4] the keys'
    /// own expiry (ms). Writes the beat, forgets the replicas whose deadline passed, returns the live ids.
    static let beatSource = now + """
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
        local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
        for _, id in ipairs(gone) do
          redis.call('ZREM', KEYS[2], id)
          redis.call('HDEL', KEYS[1], id)
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
        return redis.call('ZRANGE', KEYS[2], 0, \(maximumListed - 1))
        """
    static let beat = RedisScript(source: beatSource, sha1: RedisScript.sha1Hex(of: beatSource))

    /// KEYS[1] records, KEYS[2] deadlines. The live replicas' records (nil where one is missing).
    static let listSource = now + """
        local live = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. now, '+inf', 'LIMIT', 0, \(maximumListed))
        if #live == 0 then return {} end
        return redis.call('HMGET', KEYS[1], unpack(live))
        """
    static let list = RedisScript(source: listSource, sha1: RedisScript.sha1Hex(of: listSource))

    /// KEYS[1] records, KEYS[2] deadlines; ARGV[1] id. A clean stop: the replica is gone at once.
    static let leaveSource = """
        redis.call('ZREM', KEYS[2], ARGV[1])
        return redis.call('HDEL', KEYS[1], ARGV[1])
        """
    static let leave = RedisScript(source: leaveSource, sha1: RedisScript.sha1Hex(of: leaveSource))
}
