import ArgumentParser
import Logging

/// How a command logs: the level and the format, set up before anything logs. Shared by every command.
struct LoggingOptions: ParsableArguments {
    /// `text`: swift-log's line for people; `json`: ``JSONLogHandler``'s object a line, for a log pipeline.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        case text, json
    }

    @Option(help: "Least severe level logged: trace, debug, info, notice, warning, error or critical (env GGW_LOG_LEVEL; info).")
    var logLevel: String?

    @Option(help: "text (a line for people) or json (one JSON object a line, metadata as fields) (env GGW_LOG_FORMAT; text).")
    var logFormat: String?

    func validate() throws {
        _ = try level
        _ = try format
    }

    var level: Logger.Level {
        get throws {
            let (text, source) = Self.setting(logLevel, option: "--log-level", environment: "GGW_LOG_LEVEL")
            guard let text else { return .info }
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw ValidationError("\(source) must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
            }
            return level
        }
    }

    var format: Format {
        get throws {
            let (text, source) = Self.setting(logFormat, option: "--log-format", environment: "GGW_LOG_FORMAT")
            guard let text else { return .text }
            guard let format = Format(rawValue: text.lowercased()) else {
                throw ValidationError("\(source) must be text or json, not '\(text)'")
            }
            return format
        }
    }

    /// Sets up swift-log's backend. Once per process, before the first logger is made.
    func bootstrap() throws {
        let (level, format) = (try level, try format)
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                return JSONLogHandler(label: label, level: level)
            }
        }
    }

    /// The option's value, else the environment's, and which one it was (for errors).
    private static func setting(_ value: String?, option: String, environment: String) -> (String?, String) {
        if let value { return (value, option) }
        return (GatewayEnvironment.value(environment), environment)
    }
}
