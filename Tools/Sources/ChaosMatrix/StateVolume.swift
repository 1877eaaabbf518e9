import Foundation

/// A small tmpfs mounted as the gateway's state directory, so that "disk full" is the real ENOSPC from the
/// kernel rather than a simulation. Mounting needs root (CI runs as root); where it cannot be mounted the row
/// cannot run, which fails the matrix unless `--allow-skip state-dir-full` says to skip it.
struct StateVolume: Sendable {
    let path: String
    private var filler: String { (path as NSString).appendingPathComponent("chaos-filler") }

    /// Mounts a `size` tmpfs at `path`.
    /// - Throws: ``StateVolumeUnavailable`` when this user or machine cannot mount one; ``ChaosError`` when the
    ///   folder cannot be made.
    static func mount(at path: String, size: String = "64m") throws -> StateVolume {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ChaosError("cannot create the state directory \(path): \(error)")
        }
        guard getuid() == 0 else {
            throw StateVolumeUnavailable(path: path, reason: "mounting a tmpfs needs root (running as uid \(getuid()))")
        }
        do {
            try run(["mount", "-t", "tmpfs", "-o", "size=\(size),mode=0700", "tmpfs", path])
        } catch {
            throw StateVolumeUnavailable(path: path, reason: "\(error)")
        }
        return StateVolume(path: path)
    }

    /// Writes a filler file until the kernel says ENOSPC.
    func fill() throws {
        let descriptor = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw ChaosError("cannot create \(filler): errno \(errno)") }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0x2E, count: 16_384)
        while chunk.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        guard errno == ENOSPC else { throw ChaosError("filling \(path) stopped with errno \(errno), not ENOSPC") }
    }

    /// Frees the space again.
    func drain() throws {
        guard unlink(filler) == 0 || errno == ENOENT else { throw ChaosError("cannot remove \(filler): errno \(errno)") }
    }

    func unmount() {
        try? Self.run(["umount", "-l", path])
    }

    private static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        try process.run()
        var status: Int32 = 0
        while waitpid(process.processIdentifier, &status, 0) < 0, errno == EINTR {}
        guard status == 0 else { throw ChaosError("\(arguments.joined(separator: " ")) failed (status \(status))") }
    }
}

/// A tmpfs cannot be mounted as the state directory here: the state-dir-full row cannot run.
struct StateVolumeUnavailable: Error, CustomStringConvertible {
    let path: String
    let reason: String

    var description: String { "no tmpfs at \(path): \(reason)" }
}
