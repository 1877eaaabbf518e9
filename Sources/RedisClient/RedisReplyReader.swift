import CHiredis
import CRedisShims

/// The one owner of a hiredis `redisReader`: it parses the RESP byte stream of one connection into replies.
///
/// hiredis' parser is kept (it is what the client always used, and it is independent of hiredis' sockets); the
/// bytes come from ``RedisStream``, plain or TLS. Every reply is copied into a ``RedisReply`` and hiredis' tree
/// freed at once. Not thread-safe; one per connection, used by its thread.
final class RedisReplyReader {
    /// `redisReader *`, freed in `deinit`.
    private let handle: UnsafeMutablePointer<redisReader>
    /// Bytes fed since the last complete reply: all of them belong to the reply being read.
    private var bytesInReply = 0

    /// The longest reply taken. The gateway's replies are small (a SCAN batch of 1,000 keys is ~100 KB); hiredis 0.14
    /// would hold a reply of any size, and its tree costs up to ten times the bytes, so past this the connection is
    /// dropped rather than the process's memory spent.
    static let maxReplyBytes = 8 << 20

    /// What the reader could not parse or represent; the stream cannot be resynchronised after it.
    struct Malformed: Error {
        var message: String
    }

    init() throws(Malformed) {
        guard let handle = redisReaderCreate() else { throw Malformed(message: "out of memory for the reply reader") }
        self.handle = handle
    }

    deinit {
        redisReaderFree(handle)
    }

    /// Hands the reader bytes read from the server.
    func feed(_ bytes: UnsafeRawBufferPointer) throws(Malformed) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        bytesInReply += bytes.count
        guard bytesInReply <= Self.maxReplyBytes else {
            throw Malformed(message: "a reply longer than \(Self.maxReplyBytes >> 20) MiB")
        }
        guard redisReaderFeed(handle, base.assumingMemoryBound(to: CChar.self), bytes.count) == REDIS_OK else {
            throw Malformed(message: errorText())
        }
    }

    /// The next complete reply, or nil when more bytes are needed.
    func next() throws(Malformed) -> RedisReply? {
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(handle, &raw) == REDIS_OK else { throw Malformed(message: errorText()) }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        // What is still buffered is the start of the next reply.
        bytesInReply = max(0, handle.pointee.len - handle.pointee.pos)
        return try Self.convert(raw.assumingMemoryBound(to: redisReply.self))
    }

    private func errorText() -> String {
        guard let text = crs_reader_error(handle) else { return "unreadable reply" }
        let message = String(cString: text)
        return message.isEmpty ? "unreadable reply" : message
    }

    /// Copies a reply tree. The reply is untrusted input: every length and pointer is checked, nothing traps.
    private static func convert(_ reply: UnsafePointer<redisReply>) throws(Malformed) -> RedisReply {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING: return .bulk(try bytes(node))
        case REDIS_REPLY_STATUS: return .status(String(decoding: try bytes(node), as: UTF8.self))
        case REDIS_REPLY_ERROR: return .error(String(decoding: try bytes(node), as: UTF8.self))
        case REDIS_REPLY_INTEGER: return .integer(node.integer)
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_ARRAY:
            guard let count = Int(exactly: node.elements) else { throw Malformed(message: "array too long") }
            if count == 0 { return .array([]) }
            guard let elements = node.element else { throw Malformed(message: "array without elements") }
            var converted: [RedisReply] = []
            converted.reserveCapacity(count)
            for child in UnsafeBufferPointer(start: elements, count: count) {
                guard let child else { throw Malformed(message: "missing array element") }
                converted.append(try convert(child))
            }
            return .array(converted)
        default:
            throw Malformed(message: "unknown reply type \(node.type)")
        }
    }

    private static func bytes(_ node: redisReply) throws(Malformed) -> [UInt8] {
        guard let count = Int(exactly: node.len) else { throw Malformed(message: "string too long") }
        if count == 0 { return [] }
        guard let start = node.str else { throw Malformed(message: "string without bytes") }
        return Array(UnsafeRawBufferPointer(start: start, count: count))
    }
}
