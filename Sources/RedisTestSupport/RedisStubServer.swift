import Foundation
import RedisClient
import Synchronization

/// A few lines of fake Redis on 127.0.0.1, for what a real redis-server cannot be made to do: answer as an old
/// version. It reads RESP commands and answers each with a fixed reply chosen by the command's name (`+OK` for
/// any other), one connection at a time, on a thread of its own. Only for the version check's tests.
public final class RedisStubServer: Sendable {
    /// Where it listens (a free port the kernel chose).
    public let url: RedisURL
    private let listener: Int32
    private let stopping = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)

    /// Did not start.
    public struct StartFailed: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Parameter replies: raw RESP replies by command name (upper case): `["HELLO": RedisStubServer.hello(version:
    ///   "6.2.14")]`.
    public init(replies: [String: String]) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw StartFailed(description: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(listener, generic, length) == 0 && listen(listener, 8) == 0
                    && getsockname(listener, generic, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw StartFailed(description: "bind/listen on 127.0.0.1: \(errno)")
        }
        self.listener = listener
        url = RedisURL(host: "127.0.0.1", port: Int(UInt16(bigEndian: address.sin_port)))
        let thread = Thread { [self] in
            serve(replies)
            stopped.signal()
        }
        thread.start()
    }

    deinit {
        close(listener)
    }

    /// Stops accepting and waits for the thread (a connection being served ends when its client closes it or within
    /// a tenth of a second).
    public func stop() {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        stopped.wait()
    }

    /// A RESP2 `HELLO` reply naming `version`, as Redis 6 and 7 send it (fields and values in one flat array).
    public static func hello(version: String) -> String {
        let fields = ["server", "redis", "version", version, "proto", "2"]
        return "*\(fields.count)\r\n" + fields.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined()
    }

    /// A RESP bulk string (what `INFO` answers).
    public static func bulk(_ text: String) -> String {
        "$\(text.utf8.count)\r\n\(text)\r\n"
    }

    private func serve(_ replies: [String: String]) {
        while !stopping.load(ordering: .relaxed) {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            answer(connection, replies)
            close(connection)
        }
    }

    /// Answers every complete command on one connection until it closes (or the stub stops).
    private func answer(_ connection: Int32, _ replies: [String: String]) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !stopping.load(ordering: .relaxed) {
            var entry = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return }
            buffer += chunk[0..<count]
            while let (name, used) = Self.command(in: buffer) {
                buffer.removeFirst(used)
                let reply = Array((replies[name] ?? "+OK\r\n").utf8)
                _ = reply.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }
    }

    /// The first complete RESP command in `bytes`: its name (upper case) and how many bytes it took; nil if incomplete.
    static func command(in bytes: [UInt8]) -> (String, Int)? {
        var index = 0
        func line() -> String? {
            guard let end = bytes[index...].firstIndex(of: 13), end + 1 < bytes.count else { return nil }
            defer { index = end + 2 }
            return String(decoding: bytes[index..<end], as: UTF8.self)
        }
        guard let header = line(), header.hasPrefix("*"), let count = Int(header.dropFirst()), count > 0 else { return nil }
        var arguments: [String] = []
        for _ in 0..<count {
            guard let size = line(), size.hasPrefix("$"), let length = Int(size.dropFirst()), length >= 0,
                index + length + 2 <= bytes.count
            else { return nil }
            arguments.append(String(decoding: bytes[index..<index + length], as: UTF8.self))
            index += length + 2
        }
        return (arguments[0].uppercased(), index)
    }
}
