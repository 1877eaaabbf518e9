import Foundation
import GatewayCore
import Logging
import PluginKit

/// One JSON object a line on standard error, for a log pipeline (Loki, Elasticsearch, CloudWatch) to index without
/// parsing text: `time`, `level`, `logger` (the label), `message`, `source`, and every metadata key as a field of its
/// own (`tenant.id`, `org.name`, `message.id`, `correlation.id`, …), nested values as JSON.
///
///     {"time":"2026-12-08T02:31:14.123Z","level":"warning","logger":"genesys-gateway","message":"dead_lettered","source":"QueuePipeline","tenant.id":"acme","org.name":"us","message.id":"m-1","reason":"HTTP 400 bad.request"}
///
/// The reserved fields win over metadata keys of the same name.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    static let reservedFields: Set<String> = ["time", "level", "logger", "message", "source"]

    init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let explicit = event.metadata { fields.merge(explicit) { _, new in new } }
        var line = Self.line(
            time: Date(), level: event.level, label: label, message: event.message.description, source: event.source, fields: fields)
        line.append(UInt8(ascii: "\n"))
        Self.writeToStandardError(line)
    }

    /// One `write(2)` a line where the system takes it whole (it does for lines up to a pipe's 4 KiB atomically), so
    /// lines of concurrent tasks do not interleave; the rest of a partial write follows at once.
    private static func writeToStandardError(_ line: [UInt8]) {
        line.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count, let base = bytes.baseAddress {
                let written = write(STDERR_FILENO, base + offset, bytes.count - offset)
                guard written > 0 else {
                    if written < 0, errno == EINTR { continue }
                    return  // standard error is gone: nothing better to do with a log line
                }
                offset += written
            }
        }
    }

    /// The JSON object of one event, without its newline.
    static func line(
        time: Date, level: Logger.Level, label: String, message: String, source: String, fields: Logger.Metadata
    ) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(256)
        member("time", .string(ISO8601Timestamp.string(time)), first: true, to: &bytes)
        member("level", .string(level.rawValue), to: &bytes)
        member("logger", .string(label), to: &bytes)
        member("message", .string(message), to: &bytes)
        member("source", .string(source), to: &bytes)
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) where !reservedFields.contains(key) {
            member(key, value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private static func member(_ key: String, _ value: Logger.MetadataValue, first: Bool = false, to bytes: inout [UInt8]) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        JSONObjectWriter.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        append(value, to: &bytes)
    }

    private static func append(_ value: Logger.MetadataValue, to bytes: inout [UInt8]) {
        switch value {
        case .string(let text):
            JSONObjectWriter.appendString(text, to: &bytes)
        case .stringConvertible(let convertible):
            JSONObjectWriter.appendString(convertible.description, to: &bytes)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                append(element, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .dictionary(let entries):
            bytes.append(UInt8(ascii: "{"))
            for (index, (key, element)) in entries.sorted(by: { $0.key < $1.key }).enumerated() {
                member(key, element, first: index == 0, to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}
