#if canImport(Glibc)
import Glibc
#endif
// `struct stat` reaches this module through several C modules, and the compiler may credit Dispatch's with it
// (since the TLS listener brought swift-nio-ssl into the module graph); with MemberImportVisibility its members
// then need that module imported here.
import CDispatch
import Foundation
import GatewayConfig

/// The tenant files of a directory as seen by `stat`: names, sizes, modification times and inodes. Two equal
/// fingerprints mean nothing worth reloading happened; a poll compares them instead of reading the files.
///
/// The inode catches a file replaced by rename (how editors and deploy tools write) within the same
/// mtime tick and at the same size. Symlinks are followed, so a swapped link target counts as a change.
struct ConfigDirectoryFingerprint: Equatable, Sendable {
    struct File: Equatable, Sendable {
        var path: String
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
        var device: UInt64
        var inode: UInt64
    }

    /// Nil when the directory could not be listed.
    var files: [File]?

    init(directory: String, loader: TenantConfigLoader) {
        guard let paths = try? loader.tenantFiles(in: directory) else {
            files = nil
            return
        }
        files = paths.map { path in
            var info = stat()
            // A file that vanished between listing and stat still counts, as an all-zero entry.
            guard stat(path, &info) == 0 else {
                return File(path: path, size: -1, modifiedSeconds: 0, modifiedNanoseconds: 0, device: 0, inode: 0)
            }
            return File(
                path: path, size: Int64(info.st_size), modifiedSeconds: Int(info.st_mtim.tv_sec),
                modifiedNanoseconds: Int(info.st_mtim.tv_nsec), device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        }
    }
}
