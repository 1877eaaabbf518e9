/// A Redis server's version (`7.0.15`), as `HELLO` or `INFO server` reports it; ordered, so a client can refuse a
/// server older than it needs (``RedisConfiguration/minimumServerVersion``).
public struct RedisServerVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int = 0) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses `MAJOR.MINOR[.PATCH]`, ignoring anything after each number (`7.2.4-rc1`); nil for anything else.
    public init?(parsing text: some StringProtocol) {
        let numbers = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map { part -> Int? in
            // At most 9 digits: the number then fits any Int, and no real version has more.
            let digits = part.prefix { $0.isASCII && $0.isNumber }
            return digits.count <= 9 ? Int(digits) : nil
        }
        guard numbers.count >= 2, let major = numbers[0], let minor = numbers[1] else { return nil }
        self.init(major, minor, numbers.count > 2 ? numbers[2] ?? 0 : 0)
    }

    public static func < (lhs: RedisServerVersion, rhs: RedisServerVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    /// The version in a `HELLO` reply (RESP2: a flat array of field names and values, `version` among them).
    static func fromHello(_ reply: RedisReply) -> RedisServerVersion? {
        guard let fields = reply.array else { return nil }
        var index = 0
        while index + 1 < fields.count {
            if fields[index].string == "version", let text = fields[index + 1].string { return RedisServerVersion(parsing: text) }
            index += 2
        }
        return nil
    }

    /// The version in an `INFO server` reply (`redis_version:7.0.15` on a line of its own).
    static func fromInfo(_ reply: RedisReply) -> RedisServerVersion? {
        guard let text = reply.string else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("redis_version:") {
            return RedisServerVersion(parsing: line.dropFirst("redis_version:".count))
        }
        return nil
    }
}
