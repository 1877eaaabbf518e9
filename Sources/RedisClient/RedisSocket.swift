import Foundation
import Glibc

/// The one owner of a connected TCP socket to a Redis server (its file descriptor), plain or under TLS.
///
/// Blocking, with the connect bounded by a deadline (non-blocking connect and `poll`) and every later send and
/// receive by socket timeouts (`SO_SNDTIMEO`, `SO_RCVTIMEO`, so per system call), as hiredis' blocking context
/// did. Not thread-safe: one thread uses it (``RedisConnection``'s). This file and the TLS and reader wrappers are
/// the only places that touch C pointers.
final class RedisSocket {
    /// The descriptor, or -1 once closed. ``RedisTLSSession`` reads and writes through it; only this type closes it.
    private(set) var descriptor: Int32

    /// Resolves `host`, then tries its addresses in order until one connects within what is left of `timeout`.
    init(host: String, port: Int, timeout: Duration) throws(RedisTransportFailure) {
        let deadline = ContinuousClock.now + max(timeout, .milliseconds(1))
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            let text = gai_strerror(status).map { String(cString: $0) } ?? "error \(status)"
            throw RedisTransportFailure("cannot resolve \(host): \(text)")
        }
        defer { freeaddrinfo(list) }
        var lastFailure = RedisTransportFailure("\(host) has no address")
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            entry = current.pointee.ai_next
            do {
                descriptor = try Self.connect(current.pointee, deadline: deadline)
                return
            } catch {
                lastFailure = error
                if error.kind == .timedOut { break }
            }
        }
        throw lastFailure
    }

    deinit {
        close()
    }

    /// Closes the descriptor; later reads and writes fail.
    func close() {
        guard descriptor >= 0 else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }

    /// Sets the bound on every later send and receive; a zero or negative duration is raised to 1 ms (zero would
    /// mean "wait forever").
    func setTimeouts(_ duration: Duration) throws(RedisTransportFailure) {
        let parts = max(duration, .milliseconds(1)).components
        var value = timeval(tv_sec: Int(parts.seconds), tv_usec: Int(parts.attoseconds / 1_000_000_000_000))
        let size = socklen_t(MemoryLayout<timeval>.size)
        guard setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, size) == 0,
            setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, size) == 0
        else { throw Self.failure("set socket timeouts") }
    }

    /// Writes all of `bytes`, or fails (a timeout part way leaves the stream unusable: the caller closes it).
    func send(_ bytes: UnsafeRawBufferPointer) throws(RedisTransportFailure) {
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            // MSG_NOSIGNAL: a server that closed the connection must not raise SIGPIPE, which ends the process.
            let written = Glibc.send(descriptor, base + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else {
                throw Self.failure("write")
            }
        }
    }

    /// Reads what has arrived (at least one byte, waiting up to the socket timeout); 0 at end of stream.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(RedisTransportFailure) -> Int {
        while true {
            let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            if errno != EINTR { throw Self.failure("read") }
        }
    }

    /// Whether something is waiting to be read, or the peer hung up: a zero-timeout `poll`, no system call that
    /// blocks.
    func isReadableOrHungUp() -> Bool {
        guard descriptor >= 0 else { return true }
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) != 0
    }

    /// Switches non-blocking mode on or off: the TLS idle check reads what is there without waiting. False when
    /// `fcntl` fails.
    func setNonBlocking(_ on: Bool) -> Bool {
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0 else { return false }
        return fcntl(descriptor, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) == 0
    }

    /// One attempt: a non-blocking connect waited for with `poll` up to the deadline, then back to blocking mode.
    private static func connect(_ address: addrinfo, deadline: ContinuousClock.Instant) throws(RedisTransportFailure) -> Int32 {
        let descriptor = socket(address.ai_family, address.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), address.ai_protocol)
        guard descriptor >= 0 else { throw failure("socket") }
        var connected = false
        defer { if !connected { _ = Glibc.close(descriptor) } }
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0, fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0 else { throw failure("fcntl") }
        if Glibc.connect(descriptor, address.ai_addr, address.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { throw failure("connect") }
            var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            while true {
                let left = min(deadline - ContinuousClock.now, .seconds(60))
                guard left > .zero else { throw RedisTransportFailure(.timedOut, "connect timed out") }
                // At most a minute per poll (the loop waits again), so the conversion cannot overflow.
                let milliseconds = Int32(left.components.seconds) * 1000
                    + Int32(left.components.attoseconds / 1_000_000_000_000_000) + 1
                let ready = poll(&entry, 1, milliseconds)
                if ready > 0 { break }
                if ready < 0, errno != EINTR { throw failure("poll") }
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { throw failure("getsockopt") }
            guard error == 0 else { throw RedisTransportFailure("connect: \(String(cString: strerror(error)))") }
        }
        guard fcntl(descriptor, F_SETFL, flags) == 0 else { throw failure("fcntl") }
        // Commands are small and a pipeline is written at once: Nagle's delay would only add latency.
        var on: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        connected = true
        return descriptor
    }

    /// The failure `errno` describes now; EAGAIN/EWOULDBLOCK from a socket timeout is a timeout.
    static func failure(_ operation: String) -> RedisTransportFailure {
        let code = errno
        return RedisTransportFailure(
            code == EAGAIN || code == EWOULDBLOCK ? .timedOut : .failed, "\(operation): \(String(cString: strerror(code)))")
    }
}
