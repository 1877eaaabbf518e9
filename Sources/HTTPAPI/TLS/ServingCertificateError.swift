/// Why a certificate and key could not be served: which file (by the option that names it), and the reason in
/// OpenSSL's words where OpenSSL gave one. At start it stops `run`; at a reload the previous certificate stays.
///
/// A struct around a private code, as swift-log's and swift-nio's errors are, so that new causes do not break
/// callers; two errors are equal when their codes are.
public struct ServingCertificateError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Code: Sendable, Equatable {
        /// The file could not be read (missing, a folder, no permission, too large).
        case unreadable
        /// The certificate file holds no certificate OpenSSL can read.
        case noCertificate
        /// The key file holds no private key OpenSSL can read (encrypted keys included: nobody types a passphrase).
        case noPrivateKey
        /// The key is not the certificate's.
        case keyMismatch
        /// OpenSSL read both, swift-nio-ssl's BoringSSL did not take them.
        case refusedByBoringSSL
        /// The new certificate's not-after is past (at a reload; the previous one stays).
        case expired
    }

    let code: Code
    /// The option naming the file at fault (`--tls-cert-file`, `--tls-key-file`), as the operator wrote it.
    public let option: String
    public let path: String
    /// What is wrong, in words an operator can act on.
    public let reason: String

    init(_ code: Code, option: String, path: String, reason: String) {
        self.code = code
        self.option = option
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(option) \(path): \(reason)" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
}

extension ServingCertificateError {
    /// `certificate`, read from `files`, expired before `secondsSince1970`: a reload keeps the one it has instead.
    public static func expired(_ certificate: ServingCertificate, files: CertificateFiles) -> Self {
        ServingCertificateError(
            .expired, option: CertificateFiles.certificateOption, path: files.certificatePath,
            reason: "the certificate (\(certificate.subject), serial \(certificate.serialNumber)) expired at \(certificate.notValidAfterText)")
    }
}
