import ArgumentParser
import OrgServices

/// How much status history `run` keeps for `GET /v1/messages/{id}`. Each option falls back to its environment
/// variable, then to ``StatusHistoryLimits``' default; a value out of range is refused naming where it came from.
struct StatusHistoryOptions: ParsableArguments {
    @Option(help: "Bytes of status history kept in memory at most, each event's JSON plus what holding it costs (env GGW_STATUS_HISTORY_MAX_BYTES; 33554432, 32 MiB).")
    var statusHistoryMaxBytes: Int?

    @Option(help: "Seconds a message's status history is kept after its last event, in memory and in shared mode in Redis (env GGW_STATUS_HISTORY_MAX_AGE; 3600).")
    var statusHistoryMaxAge: Int?

    @Option(help: "Messages whose status history is kept in memory at most (env GGW_STATUS_HISTORY_MAX_MESSAGES; 100000).")
    var statusHistoryMaxMessages: Int?

    func limits() throws -> StatusHistoryLimits {
        let defaults = StatusHistoryLimits()
        return StatusHistoryLimits(
            maxBytes: try Self.value(
                statusHistoryMaxBytes, option: "--status-history-max-bytes", environment: "GGW_STATUS_HISTORY_MAX_BYTES",
                in: StatusHistoryLimits.bytesRange, unit: "bytes") ?? defaults.maxBytes,
            maxAge: try Self.value(
                statusHistoryMaxAge, option: "--status-history-max-age", environment: "GGW_STATUS_HISTORY_MAX_AGE",
                in: StatusHistoryLimits.ageSecondsRange, unit: "seconds").map { .seconds($0) } ?? defaults.maxAge,
            maxMessages: try Self.value(
                statusHistoryMaxMessages, option: "--status-history-max-messages", environment: "GGW_STATUS_HISTORY_MAX_MESSAGES",
                in: StatusHistoryLimits.messagesRange, unit: "messages") ?? defaults.maxMessages)
    }

    /// The option's value, else the environment variable's, checked against `range`; nil when neither is given.
    private static func value(
        _ given: Int?, option: String, environment: String, in range: ClosedRange<Int>, unit: String
    ) throws -> Int? {
        let source: String
        let value: Int
        if let given {
            (source, value) = (option, given)
        } else if let text = GatewayEnvironment.value(environment) {
            guard let parsed = Int(text) else {
                throw ValidationError("\(environment) must be a whole number of \(unit), not '\(text)'")
            }
            (source, value) = (environment, parsed)
        } else {
            return nil
        }
        guard range.contains(value) else {
            throw ValidationError("\(source) must be between \(range.lowerBound) and \(range.upperBound) \(unit), not \(value)")
        }
        return value
    }
}
