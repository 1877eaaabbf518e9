import Logging
import RedisClient

/// Reads Redis' own count of commands processed (`INFO stats`), to report shared mode's Redis cost per
/// message. The benchmark's own reads are a handful against tens of thousands.
struct RedisCommandCounter {
    let client: RedisClient

    init(url: String) throws {
        var logger = Logger(label: "bench-redis")
        logger.logLevel = .critical
        client = RedisClient(configuration: RedisConfiguration(url: try RedisURL(parsing: url)), logger: logger)
    }

    func commandsProcessed() async -> Int? {
        guard let info = try? await client.send("INFO", "stats").string else { return nil }
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("total_commands_processed:") }
        return line.flatMap { Int($0.dropFirst("total_commands_processed:".count)) }
    }

    func shutdown() async {
        await client.shutdown()
    }
}
