#if canImport(Glibc)
import Glibc
#endif

/// Where the listener's certificate and key live (`run --tls-cert-file`, `--tls-key-file`): PEM files, the
/// certificate file with its chain (leaf first, as certbot's `fullchain.pem` and cert-manager's `tls.crt` are), the
/// key unencrypted (`privkey.pem`, `tls.key`).
public struct CertificateFiles: Sendable, Equatable {
    public static let certificateOption = "--tls-cert-file"
    public static let keyOption = "--tls-key-file"

    public var certificatePath: String
    public var keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    /// The two files as the file system shows them now (through symbolic links, which is how cert-manager's
    /// volumes and certbot's `live/` folder swap a renewed certificate in).
    public func fingerprint() -> CertificateFilesFingerprint {
        CertificateFilesFingerprint(certificate: .init(path: certificatePath), key: .init(path: keyPath))
    }
}

/// Device, inode, size and modification time of both files: a renewal changes at least one of them (a rename or a
/// new symbolic link target gives a new inode even within the same second and the same size), and `stat` is cheap
/// enough to run every few seconds. inotify would miss a change behind a symbolic link swapped in a mounted volume.
public struct CertificateFilesFingerprint: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        var device: UInt64 = 0
        var inode: UInt64 = 0
        var size: Int64 = 0
        var modifiedSeconds: Int = 0
        var modifiedNanoseconds: Int = 0
        /// stat's errno when the file cannot be seen (0 when it can): a file that goes away is a change too.
        var error: Int32 = 0

        init(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else {
                error = errno
                return
            }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modifiedSeconds = info.st_mtim.tv_sec
            modifiedNanoseconds = info.st_mtim.tv_nsec
        }
    }

    var certificate: File
    var key: File
}
