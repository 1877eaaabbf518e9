import Foundation

/// The fault matrix's own RabbitMQ node, driven through `scripts/rabbitmq.sh` (its own port and state
/// folder), so that stopping it hurts nothing else.
struct Broker: Sendable {
    let port: Int
    let runDirectory: String

    var url: String { "amqp://guest:guest@127.0.0.1:\(port)/%2F" }

    func start() throws { _ = try script("start") }
    func stop() throws { _ = try script("stop") }

    /// The prefetch counts of the consumers on `queues`, summed, once every one of them has a consumer (the
    /// gateway subscribes its org queues just after it reports ready); at most `timeout`.
    func prefetchTotal(of queues: [String], timeout: Duration = .seconds(30)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var found: [String: Int] = [:]
        while ContinuousClock.now < deadline {
            found = [:]
            let listing = try String(contentsOfFile: try script("consumers"), encoding: .utf8)
            for line in listing.split(separator: "\n") {
                let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
                guard fields.count == 2, queues.contains(String(fields[0])), let prefetch = Int(fields[1]) else { continue }
                found[String(fields[0]), default: 0] += prefetch
            }
            if found.count == queues.count { return found.values.reduce(0, +) }
            try await Task.sleep(for: .milliseconds(500))
        }
        let missing = queues.filter { found[$0] == nil }
        throw ChaosError("no consumer on \(missing.joined(separator: ", ")) within \(timeout) (rabbitmqctl list_consumers)")
    }

    /// Runs `scripts/rabbitmq.sh command`; returns the file that holds its output.
    private func script(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", "scripts/rabbitmq.sh", command]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["GGW_RABBITMQ_PORT": String(port), "GGW_RUN_DIR": runDirectory]) { $1 }
        // Output to a file, not a pipe: the node the script starts inherits it and would hold a pipe open.
        let log = (runDirectory as NSString).appendingPathComponent("rabbitmq-\(command).log")
        try? FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        var status: Int32 = 0
        while waitpid(process.processIdentifier, &status, 0) < 0, errno == EINTR {}
        guard status == 0 else {
            throw ChaosError("scripts/rabbitmq.sh \(command) failed (exit \(status >> 8)); see \(log)")
        }
        return log
    }
}

/// What went wrong in the fault matrix itself (not a finding about the gateway).
struct ChaosError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
