#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A name, used once, for a file the loader already opened and checked: a symbolic link to
/// `/proc/self/fd/<n>` in a private (0700) directory of its own.
///
/// `dlopen` takes a name, not a descriptor; loading by the plugin's own path would load whatever file has that
/// name by then. `/proc/self/fd/<n>` itself cannot be the name either: glibc matches a name against the
/// libraries already loaded *before* it opens anything, and descriptor numbers are reused, so a second plugin
/// opened on the same number would get the first one back.
struct OpenedFileAlias {
    let path: String
    private let directory: String

    init?(descriptor: Int32) {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("ggw-plugin-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard created != nil else { return nil }
        directory = template.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { String(cString: $0) } ?? "" }
        path = directory + "/plugin.so"
        guard symlink("/proc/self/fd/\(descriptor)", path) == 0 else {
            rmdir(directory)
            return nil
        }
    }

    /// Removes the link and its directory (the loaded library stays loaded).
    func remove() {
        unlink(path)
        rmdir(directory)
    }
}
