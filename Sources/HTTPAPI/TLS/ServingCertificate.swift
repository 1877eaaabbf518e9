#if canImport(Glibc)
import Glibc
#endif
import NIOSSL

/// A certificate chain and its private key, read from ``CertificateFiles`` and checked, ready to serve: the unit a
/// reload swaps. Reading never half-succeeds: either both files are good together, or nothing is returned.
public struct ServingCertificate: Sendable {
    /// The leaf's subject, OpenSSL's one-line form (`/CN=gateway.example.com`).
    public let subject: String
    /// The leaf's serial number in hex, as `openssl x509 -serial` shows it.
    public let serialNumber: String
    /// The leaf's validity, seconds since 1970 (UTC).
    public let notValidBefore: Int
    public let notValidAfter: Int
    /// Certificates in the chain file, the leaf included.
    public let chainLength: Int
    /// The files as they were just before they were read: a later change is a reason to read them again.
    public let readFrom: CertificateFilesFingerprint

    let chain: [NIOSSLCertificate]
    let key: NIOSSLPrivateKey
    /// What the per-handshake callback hands swift-nio-ssl (``ServingCertificateStore``): made once here.
    let override: NIOSSLContextConfigurationOverride

    /// Files larger than this are not certificates: refused rather than read into memory.
    static let maximumFileBytes = 1 << 20

    /// Reads and checks both files: readable, a certificate chain and an unencrypted key in PEM that OpenSSL reads
    /// and swift-nio-ssl takes, the key the leaf's. Does not look at dates (``isExpired(at:)`` does, where the
    /// caller has a better certificate to keep).
    public static func read(_ files: CertificateFiles) throws(ServingCertificateError) -> ServingCertificate {
        let fingerprint = files.fingerprint()
        let certificatePEM = try readWholeFile(files.certificatePath, option: CertificateFiles.certificateOption)
        let keyPEM = try readWholeFile(files.keyPath, option: CertificateFiles.keyOption)
        let subject = try OpenSSLPEMCheck.check(certificatePEM: certificatePEM, keyPEM: keyPEM, files: files)

        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certificatePEM)
        } catch {
            throw ServingCertificateError(
                .refusedByBoringSSL, option: CertificateFiles.certificateOption, path: files.certificatePath,
                reason: "swift-nio-ssl (BoringSSL) cannot load the certificate OpenSSL read: \(error)")
        }
        do {
            key = try NIOSSLPrivateKey(bytes: keyPEM, format: .pem)
        } catch {
            throw ServingCertificateError(
                .refusedByBoringSSL, option: CertificateFiles.keyOption, path: files.keyPath,
                reason: "swift-nio-ssl (BoringSSL) cannot load the key OpenSSL read (its type may be one BoringSSL lacks): \(error)")
        }
        guard let leaf = chain.first else {
            throw ServingCertificateError(
                .noCertificate, option: CertificateFiles.certificateOption, path: files.certificatePath,
                reason: "swift-nio-ssl found no certificate in it")
        }
        // A context is what every handshake would build on: made once here, so that a pair BoringSSL refuses is
        // refused now instead of failing every handshake after a reload.
        do {
            _ = try NIOSSLContext(configuration: ServingCertificateStore.serverConfiguration(chain: chain, key: key))
        } catch {
            throw ServingCertificateError(
                .refusedByBoringSSL, option: CertificateFiles.keyOption, path: files.keyPath,
                reason: "swift-nio-ssl (BoringSSL) refuses this certificate and key together: \(error)")
        }
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = chain.map { .certificate($0) }
        override.privateKey = .privateKey(key)
        return ServingCertificate(
            subject: subject, serialNumber: leaf.serialNumber.map { hex($0) }.joined().uppercased(),
            notValidBefore: Int(leaf.notValidBefore), notValidAfter: Int(leaf.notValidAfter), chainLength: chain.count,
            readFrom: fingerprint, chain: chain, key: key, override: override)
    }

    /// Whether the leaf's not-after is before `secondsSince1970`.
    public func isExpired(at secondsSince1970: Int) -> Bool {
        notValidAfter < secondsSince1970
    }

    /// The not-after as `2026-12-08T03:15:00Z`, for logs and errors.
    public var notValidAfterText: String { Self.utcText(notValidAfter) }

    static func utcText(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil else { return "\(seconds)" }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    private static func hex(_ byte: UInt8) -> String {
        let text = String(byte, radix: 16)
        return byte < 16 ? "0" + text : text
    }
}

/// The whole file, or the reason it cannot be had in the operating system's words.
private func readWholeFile(_ path: String, option: String) throws(ServingCertificateError) -> [UInt8] {
    func failure(_ reason: String) -> ServingCertificateError {
        ServingCertificateError(.unreadable, option: option, path: path, reason: reason)
    }
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw failure("cannot open it: \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16 * 1024)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw failure("cannot read it: \(String(cString: strerror(errno)))")
        }
        if count == 0 { break }
        bytes += chunk[0..<count]
        if bytes.count > ServingCertificate.maximumFileBytes {
            throw failure("it is larger than \(ServingCertificate.maximumFileBytes) bytes: not a certificate or key file")
        }
    }
    guard !bytes.isEmpty else { throw failure("it is empty") }
    return bytes
}
