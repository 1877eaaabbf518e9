import Foundation

/// A file read and written at offsets (`pread`/`pwrite`), for the on-disk indexes of the gateway's records: the
/// one type that owns such a descriptor. Reads and writes go through the page cache, not a memory map, so what
/// the file holds never counts in the process's resident memory.
///
/// Not thread-safe: one actor owns each file.
package final class RandomAccessFile {
    package let path: String
    private let descriptor: Int32

    /// Opens `path`, creating it (mode 0600) when `create` is set; read-only when `writable` is not.
    package init(path: String, writable: Bool, create: Bool = false) throws {
        self.path = path
        var flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC
        if create { flags |= O_CREAT }
        let descriptor = open(path, flags, 0o600)
        guard descriptor >= 0 else {
            throw RecordFileError(path: path, operation: "open it", reason: String(cString: strerror(errno)))
        }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// The file's size in bytes.
    package func size() throws -> UInt64 {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw error("read its size") }
        return UInt64(clamping: status.st_size)
    }

    /// Makes the file `size` bytes long, zeros where nothing was written. Sparse: the disk gives blocks as they are
    /// written, so a large index costs what it holds, and a write into a hole can still be refused for want of space.
    package func resize(to size: UInt64) throws {
        guard let length = off_t(exactly: size) else { throw RecordFileError(path: path, operation: "resize to \(size) bytes", reason: "too large") }
        guard ftruncate(descriptor, length) == 0 else { throw error("resize to \(size) bytes") }
    }

    /// Up to `count` bytes from `offset`: fewer at the end of the file, none past it.
    package func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count > 0, let start = off_t(exactly: offset) else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress.map { $0 + filled }, count - filled, start + off_t(filled))
            }
            if got > 0 {
                filled += got
            } else if got == 0 {
                break
            } else if errno != EINTR {
                throw error("read \(count) bytes at \(offset)")
            }
        }
        bytes.removeLast(count - filled)
        return bytes
    }

    /// Writes `bytes` at `offset`, all of them or an error.
    package func write(_ bytes: [UInt8], at offset: UInt64) throws {
        guard let start = off_t(exactly: offset) else { throw RecordFileError(path: path, operation: "write at \(offset)", reason: "offset too large") }
        var done = 0
        while done < bytes.count {
            let put = bytes.withUnsafeBytes { buffer in
                pwrite(descriptor, buffer.baseAddress.map { $0 + done }, bytes.count - done, start + off_t(done))
            }
            if put > 0 {
                done += put
            } else if put == 0 || errno != EINTR {
                throw put == 0
                    ? RecordFileError(path: path, operation: "write at \(offset)", reason: "the disk took no bytes")
                    : error("write \(bytes.count) bytes at \(offset)")
            }
        }
    }

    private func error(_ operation: String) -> RecordFileError {
        RecordFileError(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}
