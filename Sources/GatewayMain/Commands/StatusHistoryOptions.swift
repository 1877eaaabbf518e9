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
            maxBytes: try GatewayEnvironment.integer(
                statusHistoryMaxBytes, option: "--status-history-max-bytes", environment: "GGW_STATUS_HISTORY_MAX_BYTES",
                in: StatusHistoryLimits.bytesRange, unit: "bytes") ?? defaults.maxBytes,
            maxAge: try GatewayEnvironment.integer(
                statusHistoryMaxAge, option: "--status-history-max-age", environment: "GGW_STATUS_HISTORY_MAX_AGE",
                in: StatusHistoryLimits.ageSecondsRange, unit: "seconds").map { .seconds($0) } ?? defaults.maxAge,
            maxMessages: try GatewayEnvironment.integer(
                statusHistoryMaxMessages, option: "--status-history-max-messages", environment: "GGW_STATUS_HISTORY_MAX_MESSAGES",
                in: StatusHistoryLimits.messagesRange, unit: "messages") ?? defaults.maxMessages)
    }
}
