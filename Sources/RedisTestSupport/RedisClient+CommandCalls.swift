import RedisClient

extension RedisClient {
    /// Calls per command since the server started, from `INFO commandstats` (`cmdstat_get:calls=3,…`): what
    /// tests count a change's Redis cost with, on a ``PrivateRedisServer`` no other client uses.
    public func commandCalls() async throws -> [String: Int] {
        let info = try await send("INFO", "commandstats").string ?? ""
        var calls: [String: Int] = [:]
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
            let fields = line.dropFirst("cmdstat_".count).split(separator: ":", maxSplits: 1)
            guard fields.count == 2, let count = fields[1].split(separator: ",").first?.split(separator: "=").last.flatMap({ Int($0) })
            else { continue }
            calls[String(fields[0])] = count
        }
        return calls
    }
}
