import ArgumentParser
import Foundation
import GatewayCore
import OrgServices

/// The idempotency record's cost per message, without the rest of the gateway: every message takes a receipt check
/// (`receipt(for:)`, a miss: the id is new), a `sending` mark (`sendStarting`) and a receipt (`record`); then redeliveries look up
/// ids sent earlier (`receipt(for:)`), recent and old. Prints CPU per operation (getrusage, user + system), the
/// process's RSS and the record's size on disk.
@main
struct RecordBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "CPU, memory and disk of the idempotency record per message.")

    @Option(help: "Messages sent (each a receipt check, a mark and a receipt).")
    var messages: Int = 200_000

    @Option(help: "Redelivered ids looked up after the sends, half among the last 1,000, half anywhere.")
    var lookups: Int = 20_000

    @Option(help: "Folder for the record (emptied first).")
    var directory: String = ".run/record-benchmark"

    func run() async throws {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try FileIdempotencyStore(directory: directory + "/idempotency")
        let org = OrgKey(tenantID: "acme", orgName: "main")
        let ids = (0..<messages).map { "msg-\($0)-\(UInt64.random(in: 0...UInt64.max))" }
        let rssBefore = Self.residentMegabytes()

        let sending = Self.cpu()
        for id in ids {
            // As the delivery core asks: the receipt check, then the mark before the call, then the receipt.
            guard await store.receipt(for: id, tenantID: org.tenantID) == nil else { throw ValidationError("\(id) seen before") }
            guard case .clear = await store.sendStarting(id, tenantID: org.tenantID) else { throw ValidationError("\(id) seen before") }
            await store.record(DeliveryReceipt(
                messageID: id, org: org, genesysMessageID: "genesys-" + id, conversationID: "conversation-\(id.count)",
                correlationID: nil, genesysDuration: .zero))
        }
        let sent = Self.cpu() - sending

        let looking = Self.cpu()
        var found = 0
        for index in 0..<lookups {
            let id = index % 2 == 0 ? ids[ids.count - 1 - Int.random(in: 0..<min(1_000, ids.count))] : ids[Int.random(in: 0..<ids.count)]
            if await store.receipt(for: id, tenantID: org.tenantID) != nil { found += 1 }
        }
        let looked = Self.cpu() - looking
        guard found == lookups else { throw ValidationError("\(lookups - found) of \(lookups) sent ids not found") }

        print("messages \(messages): \(String(format: "%.2f", sent / Double(messages) * 1e6)) µs CPU per message (check, mark, receipt)")
        print("lookups \(lookups): \(String(format: "%.2f", looked / Double(lookups) * 1e6)) µs CPU per lookup of a sent id")
        print("RSS \(String(format: "%.1f", Self.residentMegabytes())) MB (\(String(format: "%+.1f", Self.residentMegabytes() - rssBefore)) MB over the sends)")
        print("disk \(String(format: "%.1f", Self.megabytes(under: directory))) MB")
    }

    /// User + system CPU seconds of this process.
    static func cpu() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func residentMegabytes() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    /// Bytes the files under `path` take on disk (allocated, as `du`), in MB.
    static func megabytes(under path: String) -> Double {
        let files = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
        let bytes = files.reduce(0.0) { total, file in
            var status = stat()
            guard stat(path + "/" + file, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return total }
            return total + Double(status.st_blocks) * 512
        }
        return bytes / 1_048_576
    }
}
