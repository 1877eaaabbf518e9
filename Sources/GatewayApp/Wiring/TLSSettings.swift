public import HTTPAPI

/// HTTPS on the API's listeners (`run --tls-cert-file --tls-key-file`): the public listener and, when there is
/// one, the operations listener serve the same certificate, read at start and again on SIGHUP and when the files
/// change (``CertificateReloader``).
public struct TLSSettings: Sendable {
    public var files: CertificateFiles
    /// What the listeners serve from the start.
    public var certificate: ServingCertificate
    /// How often the files are looked at for a renewal; nil: on SIGHUP only.
    public var pollInterval: Duration?

    /// Reads and checks the files now, so that `run` refuses to start on files it could not serve.
    /// - Throws: ``ServingCertificateError`` naming the option, the file and the reason.
    public init(certificateFile: String, keyFile: String, pollInterval: Duration? = .seconds(5)) throws(ServingCertificateError) {
        let files = CertificateFiles(certificatePath: certificateFile, keyPath: keyFile)
        self.files = files
        self.certificate = try ServingCertificate.read(files)
        self.pollInterval = pollInterval
    }
}
