/// One Redis reply, copied out of hiredis' reply tree so it outlives `freeReplyObject`.
public indirect enum RedisReply: Sendable, Equatable {
    /// A bulk string: arbitrary bytes.
    case bulk([UInt8])
    case integer(Int64)
    case array([RedisReply])
    /// A status reply such as `OK` or `PONG`.
    case status(String)
    /// An error reply such as `ERR unknown command` or `NOSCRIPT …`: the command reached Redis and failed.
    case error(String)
    /// A missing value (`GET` of an absent key, a timed-out `BLPOP`).
    case null

    /// The text of a bulk or status reply (bulk bytes decoded as UTF-8, invalid bytes replaced).
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The value of an integer reply, or of a bulk reply holding a decimal integer (what `GET` returns).
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk: string.flatMap { Int64($0) }
        default: nil
        }
    }

    /// The elements of an array reply.
    public var array: [RedisReply]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    /// The error text of an error reply.
    public var errorMessage: String? {
        if case .error(let message) = self { message } else { nil }
    }
}
