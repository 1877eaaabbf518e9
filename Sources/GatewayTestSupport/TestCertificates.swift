import Foundation
import Synchronization

/// Certificates for the HTTPS tests, made with the openssl command line by `scripts/make-redis-test-certs.sh` (the
/// same set the Redis TLS tests use) into `.run/test-certs/http` of this checkout, never committed: a test CA, a
/// server certificate from it for `127.0.0.1` and `localhost`, a client certificate from it, another CA, and a client
/// certificate that other CA signed. Made once per test process; files still valid for another day are kept.
public struct TestCertificates: Sendable {
    /// The folder holding the files.
    public let directory: String

    /// The test CA (PEM).
    public var ca: String { directory + "/ca.pem" }
    /// A CA that signed none of the server's certificates.
    public var wrongCA: String { directory + "/wrong-ca.pem" }
    /// The server's certificate (for 127.0.0.1 and localhost) and key.
    public var serverCertificate: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server-key.pem" }
    /// A client certificate from the test CA, and its key.
    public var clientCertificate: String { directory + "/client.pem" }
    public var clientKey: String { directory + "/client-key.pem" }
    /// A client certificate from the other CA, and its key.
    public var strangerCertificate: String { directory + "/stranger.pem" }
    public var strangerKey: String { directory + "/stranger-key.pem" }

    /// The script failed (openssl missing, say); its output says why.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    private static let made = Mutex<TestCertificates?>(nil)

    /// This process's certificates, made at the first call.
    public static func shared() throws -> TestCertificates {
        try made.withLock { cached in
            if let cached { return cached }
            let certificates = try make(in: repository + "/.run/test-certs/http")
            cached = certificates
            return certificates
        }
    }

    /// A folder holding only the test CA under its hash name (`openssl rehash`), as libcurl's CA directory
    /// (`CURLOPT_CAPATH`) wants it.
    public func caDirectory() throws -> String {
        let folder = directory + "/ca-dir-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ca, toPath: folder + "/ca.pem")
        try Self.run(["openssl", "rehash", folder])
        return folder
    }

    private static func make(in directory: String) throws -> TestCertificates {
        try run(["bash", repository + "/scripts/make-redis-test-certs.sh", directory])
        return TestCertificates(directory: directory)
    }

    /// The checkout this file is in (Sources/GatewayTestSupport/ is two folders down).
    private static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// Runs `arguments` (through `env`) to completion; throws with its output unless it exits 0.
    private static func run(_ arguments: [String]) throws {
        let output = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read to the end before waiting: a full pipe would stop the script.
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Unavailable(description: "\(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(text)")
        }
    }
}
