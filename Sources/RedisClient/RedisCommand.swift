import Foundation

/// One Redis command as its argument vector, sent with `redisAppendCommandArgv` (binary-safe: arguments
/// may hold any bytes, no quoting or format string involved).
public struct RedisCommand: Sendable, Equatable {
    /// The arguments, the command's name first.
    public var arguments: [[UInt8]]

    /// - Parameters:
    ///   - name: the command (`GET`, `EVALSHA`, …).
    ///   - arguments: its arguments: strings, bytes, `Data` or integers.
    public init(_ name: String, _ arguments: any RedisArgument...) {
        self.init(name, arguments: arguments)
    }

    /// The same, with the arguments in an array (built at run time).
    public init(_ name: String, arguments: [any RedisArgument]) {
        self.arguments = [Array(name.utf8)] + arguments.map(\.redisBytes)
    }

    /// The command's name, for errors and logs (arguments may hold secrets or payloads, so they are never shown).
    public var name: String {
        arguments.first.map { String(decoding: $0, as: UTF8.self).uppercased() } ?? ""
    }
}

/// A value that can be one argument of a Redis command.
public protocol RedisArgument: Sendable {
    /// The bytes Redis receives.
    var redisBytes: [UInt8] { get }
}

extension String: RedisArgument {
    public var redisBytes: [UInt8] { Array(utf8) }
}

extension Array: RedisArgument where Element == UInt8 {
    public var redisBytes: [UInt8] { self }
}

extension Data: RedisArgument {
    public var redisBytes: [UInt8] { [UInt8](self) }
}

extension Int: RedisArgument {
    public var redisBytes: [UInt8] { Array(String(self).utf8) }
}

extension Int64: RedisArgument {
    public var redisBytes: [UInt8] { Array(String(self).utf8) }
}

extension Double: RedisArgument {
    /// Shortest round-tripping decimal form, which Redis and Lua's `tonumber` both parse.
    public var redisBytes: [UInt8] { Array(description.utf8) }
}
