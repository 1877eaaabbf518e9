import Foundation
import Synchronization

/// An HTTP proxy on 127.0.0.1 that only tunnels (`CONNECT host:port`), as an egress proxy does for https, and
/// remembers every tunnel it opened: a test that reaches a server through it can prove the proxy was used.
///
/// Tunnels only to this machine (127.0.0.1, localhost): anything else, and any method but CONNECT, is refused. A
/// thread accepts; each connection is served on a thread of its own, relaying bytes both ways until one side closes
/// or the proxy stops.
public final class ConnectProxy: Sendable {
    /// Where it listens (a free port the kernel chose).
    public let port: Int
    private let listener: Int32
    private let stopping = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)
    private let opened = Mutex<[String]>([])
    private let refused = Mutex<[String]>([])

    /// `http://127.0.0.1:<port>`, the proxy URL libcurl takes.
    public var url: String { "http://127.0.0.1:\(port)" }
    /// The `host:port` of every tunnel opened, in order.
    public var tunnels: [String] { opened.withLock { $0 } }
    /// The request lines refused (another method, another host, a target that did not answer).
    public var refusals: [String] { refused.withLock { $0 } }

    /// Did not start.
    public struct StartFailed: Error, CustomStringConvertible {
        public var description: String
    }

    public init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw StartFailed(description: "socket: \(errno)") }
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(listener, generic, length) == 0 && listen(listener, 64) == 0 && getsockname(listener, generic, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw StartFailed(description: "bind/listen on 127.0.0.1: \(errno)")
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in
            acceptConnections()
            stopped.signal()
        }.start()
    }

    deinit {
        close(listener)
    }

    /// Stops accepting and waits for the accepting thread; open tunnels end within a tenth of a second.
    public func stop() {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        stopped.wait()
    }

    private func acceptConnections() {
        while !stopping.load(ordering: .relaxed) {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            Thread { [self] in
                serve(client)
                close(client)
            }.start()
        }
    }

    /// Reads the request head, opens the tunnel and relays until either side closes.
    private func serve(_ client: Int32) {
        guard let (head, rest) = readHead(client) else { return }
        let requestLine = head.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
        let parts = requestLine.split(separator: " ")
        guard parts.count == 3, parts[0] == "CONNECT", let (host, targetPort) = Self.target(String(parts[1])) else {
            refuse(client, requestLine, status: "405 Method Not Allowed")
            return
        }
        guard ["127.0.0.1", "localhost"].contains(host) else {
            refuse(client, requestLine, status: "403 Forbidden")
            return
        }
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard server >= 0 else { return }
        defer { close(server) }
        var address = Self.loopback(port: targetPort)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            refuse(client, requestLine, status: "502 Bad Gateway")
            return
        }
        opened.withLock { $0.append("\(host):\(targetPort)") }
        guard Self.sendAll(client, Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8)),
            rest.isEmpty || Self.sendAll(server, rest)
        else { return }
        relay(client, server)
    }

    /// The head up to its blank line, and whatever came after it; nil when the client sent none within 5 s.
    private func readHead(_ client: Int32) -> (String, [UInt8])? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + .seconds(5)
        let end = Array("\r\n\r\n".utf8)
        while !stopping.load(ordering: .relaxed), ContinuousClock.now < deadline, buffer.count < 16_384 {
            var entry = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let count = recv(client, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            buffer += chunk[0..<count]
            if let range = buffer.firstRange(of: end) {
                return (String(decoding: buffer[..<range.lowerBound], as: UTF8.self), Array(buffer[range.upperBound...]))
            }
        }
        return nil
    }

    /// Copies bytes both ways until one side closes, fails, or the proxy stops.
    private func relay(_ client: Int32, _ server: Int32) {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while !stopping.load(ordering: .relaxed) {
            var entries = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: server, events: Int16(POLLIN), revents: 0)]
            guard poll(&entries, 2, 100) >= 0 else { return }
            for (index, entry) in entries.enumerated() where entry.revents != 0 {
                let (from, to) = index == 0 ? (client, server) : (server, client)
                let count = recv(from, &chunk, chunk.count, 0)
                guard count > 0, Self.sendAll(to, Array(chunk[0..<count])) else { return }
            }
        }
    }

    private func refuse(_ client: Int32, _ requestLine: String, status: String) {
        refused.withLock { $0.append(requestLine) }
        _ = Self.sendAll(client, Array("HTTP/1.1 \(status)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
    }

    /// `host:port` split; nil unless the port is a number.
    private static func target(_ authority: String) -> (String, Int)? {
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]),
            (1...65_535).contains(port)
        else { return nil }
        return (String(authority[..<colon]), port)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    /// Sends every byte (a short send is continued); false when the peer is gone.
    private static func sendAll(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }
}
