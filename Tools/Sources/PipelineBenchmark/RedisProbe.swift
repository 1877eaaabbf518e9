import Logging
import RedisClient

/// Reads Redis' own figures: its count of commands processed (`INFO stats`), to report shared mode's Redis cost
/// per message, and its memory and key count (`INFO memory`, `DBSIZE`), to follow them over a soak. The
/// benchmark's own reads are a handful against tens of thousands.
struct RedisProbe {
    let client: RedisClient

    init(url: String) throws {
        var logger = Logger(label: "bench-redis")
        logger.logLevel = .critical
        client = RedisClient(configuration: RedisConfiguration(url: try RedisURL(parsing: url)), logger: logger)
    }

    func commandsProcessed() async -> Int? {
        await info("stats", field: "total_commands_processed")
    }

    /// `used_memory`: bytes Redis' allocator holds for its data and itself.
    func usedMemory() async -> Int? {
        await info("memory", field: "used_memory")
    }

    /// Keys in the database the URL names (`DBSIZE`).
    func keyCount() async -> Int? {
        (try? await client.send("DBSIZE").integer).map(Int.init)
    }

    /// One numeric field of an `INFO` section.
    private func info(_ section: String, field: String) async -> Int? {
        guard let info = try? await client.send("INFO", section).string else { return nil }
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix(field + ":") }
        return line.flatMap { Int($0.dropFirst(field.count + 1)) }
    }

    func shutdown() async {
        await client.shutdown()
    }
}
