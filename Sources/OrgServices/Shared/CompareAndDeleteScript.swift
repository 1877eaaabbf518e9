import Crypto
package import RedisClient

/// Deletes a key only if it still holds the value the caller knows: how a replica lets go of a lock it holds
/// (and never one another replica took after its lease ran out), and how a refused token is dropped for
/// every replica only while it is still the stored one (so a second 401 does not discard the renewed token).
package enum CompareAndDeleteScript {
    /// KEYS[1] = the key; ARGV[1] = the value it must hold. Returns 1 when deleted, 0 otherwise.
    static let source = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """

    package static let script = RedisScript(source: source, sha1: RedisScript.sha1Hex(of: source))
}

extension RedisScript {
    /// The hex SHA1 Redis computes on `SCRIPT LOAD`, computed here so the first `EVALSHA` needs no load of its
    /// own (a `NOSCRIPT` answer loads it once per Redis start).
    package static func sha1Hex(of source: String) -> String {
        Insecure.SHA1.hash(data: Array(source.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
