import Foundation

/// The gateway's log file (its stdout and stderr, appended to across restarts), read from a point on: what
/// the gateway itself said about a fault.
struct GatewayLog: Sendable {
    let path: String

    /// Where the log ends now: read ``lines(from:)`` with it later to see only what came after.
    func end() throws(GatewayLogError) -> UInt64 {
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            return (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        } catch {
            throw GatewayLogError(path: path, operation: "read the size of", reason: "\(error)")
        }
    }

    /// The lines written from byte `offset` on.
    func lines(from offset: UInt64) throws(GatewayLogError) -> [Substring] {
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seek(toOffset: offset)
            let data = try handle.readToEnd() ?? Data()
            return String(decoding: data, as: UTF8.self).split(separator: "\n")
        } catch {
            throw GatewayLogError(path: path, operation: "read", reason: "\(error)")
        }
    }

    /// What the gateway logged about its RabbitMQ connection in `lines`: failures (a lost connection, or a
    /// reconnect attempt refused), and new connections made after the first failure.
    static func brokerConnection(in lines: [Substring]) -> (failures: Int, reconnects: Int) {
        var failures = 0
        var reconnects = 0
        for line in lines {
            if line.contains("RabbitMQ connection failed") {
                failures += 1
            } else if failures > 0, line.contains("connected to RabbitMQ"), line.contains("amqp.generation=") {
                reconnects += 1
            }
        }
        return (failures, reconnects)
    }

    /// Lines in which the gateway reported that its idempotency record could not be written because the
    /// disk was full (`MessageProcessor`: "idempotency record cannot be written; sends wait", with the
    /// record file's error `No space left on device`, which is ENOSPC's text).
    static func fullDiskReports(in lines: [Substring]) -> Int {
        lines.filter { $0.contains("idempotency record cannot be written") && $0.contains("No space left on device") }.count
    }
}

/// The gateway's log could not be read.
struct GatewayLogError: Error, CustomStringConvertible {
    let path: String
    let operation: String
    let reason: String

    var description: String { "cannot \(operation) the gateway log \(path): \(reason)" }
}
