import Foundation

/// A test CA in a folder of its own and the server certificates it signs, made with the openssl command line as
/// `scripts/make-test-certs.sh` makes the broker's: EC P-256 keys (milliseconds, where RSA would make each test
/// wait), short-lived, unencrypted, never committed. The folder goes with the value.
public final class TestCertificateAuthority: Sendable {
    public let path: String
    /// The CA certificate (PEM), what a client trusts.
    public let certificatePath: String
    private let keyPath: String

    /// Makes a new CA named `commonName`.
    public init(commonName: String = "genesys-gateway test CA") throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("ggw-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        certificatePath = path + "/ca.pem"
        keyPath = path + "/ca-key.pem"
        try Self.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyPath])
        try Self.openssl([
            "req", "-x509", "-new", "-key", keyPath, "-subj", "/CN=\(commonName)", "-days", "2", "-sha256",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-out", certificatePath,
        ])
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A server certificate for `127.0.0.1` and `localhost` with `commonName` and `serial` (hex), signed by this CA:
    /// `<name>.pem` and `<name>-key.pem` in the CA's folder.
    public func issue(_ name: String, commonName: String, serial: String) throws -> (certificate: String, key: String) {
        let certificate = path + "/\(name).pem"
        let key = path + "/\(name)-key.pem"
        let request = path + "/\(name).csr"
        let extensions = path + "/\(name).ext"
        try Self.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key])
        try Self.openssl(["req", "-new", "-key", key, "-subj", "/CN=\(commonName)", "-out", request])
        try """
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature
            extendedKeyUsage=serverAuth
            subjectAltName=DNS:localhost,IP:127.0.0.1

            """.write(toFile: extensions, atomically: true, encoding: .utf8)
        try Self.openssl([
            "x509", "-req", "-in", request, "-CA", certificatePath, "-CAkey", keyPath, "-set_serial", "0x\(serial)",
            "-days", "2", "-sha256", "-extfile", extensions, "-out", certificate,
        ])
        return (certificate, key)
    }

    /// Runs the openssl command line; throws with its output when it fails.
    @discardableResult
    public static func openssl(_ arguments: [String], input: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let standardInput = Pipe()
        process.standardInput = standardInput
        try process.run()
        if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
        try? standardInput.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let text = String(decoding: data, as: UTF8.self)
        guard exitStatus(of: process) == 0 else {
            throw TestCertificateError(message: "openssl \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }
}

/// Waits for `process` with `waitpid` itself (Foundation's `waitUntilExit` was seen hanging in these async tests
/// after the child had ended); when Foundation reaped it first, its own record says how it ended.
private func exitStatus(of process: Process) -> Int32 {
    var status: Int32 = 0
    while true {
        let result = waitpid(process.processIdentifier, &status, WNOHANG)
        if result == process.processIdentifier {
            return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        }
        if result < 0 {
            while process.isRunning { usleep(10_000) }
            return process.terminationStatus
        }
        usleep(10_000)
    }
}

public struct TestCertificateError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}
