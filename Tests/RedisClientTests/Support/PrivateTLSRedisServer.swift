import Foundation
import RedisClient

/// A redis-server of one test's own that serves TLS only, for set-ups the shared one must not be switched to: client
/// certificates required (`--tls-auth-clients yes`), or a server certificate for another host. Listens on a random
/// port in 40000..<50000; killed when the value goes away.
final class PrivateTLSRedisServer {
    let port: Int
    private let directory: URL
    private var process: Process?

    struct StartFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// - Parameters:
    ///   - certificate: the server's certificate file name in the test certificates' folder (`server.pem`,
    ///     `wrong-host.pem`); its key is `<name>-key.pem`.
    ///   - requireClientCertificates: `--tls-auth-clients yes` (else `no`).
    init(certificate: String = "server.pem", requireClientCertificates: Bool) throws {
        let folder = try TestTLSRedis.certificates()
        let name = certificate.replacingOccurrences(of: ".pem", with: "")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("redis-tls-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var failures: [String] = []
        for _ in 0..<5 {
            let candidate = Int.random(in: 40000..<50000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "redis-server", "--port", "0", "--tls-port", "\(candidate)", "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", directory.path, "--logfile", directory.appendingPathComponent("redis.log").path,
                "--tls-cert-file", "\(folder)/\(name).pem", "--tls-key-file", "\(folder)/\(name)-key.pem",
                "--tls-ca-cert-file", "\(folder)/ca.pem", "--tls-auth-clients", requireClientCertificates ? "yes" : "no",
            ]
            try process.run()
            if Self.answers(port: candidate, process: process, folder: folder) {
                self.process = process
                port = candidate
                return
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            failures.append("\(candidate)")
        }
        throw StartFailed(description: "no TLS redis-server answered on ports \(failures) (see \(directory.path)/redis.log)")
    }

    deinit {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Whether our process answers PING over TLS on `port` (any host name, with a client certificate, so every set-up
    /// answers); a server someone else runs there is not ours.
    private static func answers(port: Int, process: Process, folder: String) -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        let url = RedisURL(
            host: "127.0.0.1", port: port,
            tls: RedisTLS(
                caCertificatesFile: "\(folder)/ca.pem", certificateFile: "\(folder)/client.pem", keyFile: "\(folder)/client-key.pem",
                checksHostname: false))
        while ContinuousClock.now < deadline, process.isRunning {
            if let connection = try? RedisConnection(url: url, connectTimeout: .seconds(1), commandTimeout: .seconds(1)),
                let info = (try? connection.send(RedisCommand("INFO", "server")))?.string
            {
                return info.contains("process_id:\(process.processIdentifier)\r\n")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}
