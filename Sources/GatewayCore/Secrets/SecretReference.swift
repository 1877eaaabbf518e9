/// Where a secret lives: `env:NAME` or `file:/path`. Configs never hold the secret itself.
///
/// `literal` exists for values that are not secret but may still come from the environment (an OAuth
/// client id); the config reader never accepts it where a secret is required. `inline` is a secret's value
/// itself, which only a tenant service reached safely may send (docs/tenant-service.md); it never prints.
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
    case environment(String)
    case file(String)
    case literal(String)
    case inline(Secret)

    /// Parses `env:NAME` or `file:/absolute/path`; nil for anything else (a plain-text secret among them).
    public init?(parsing text: String) {
        if text.hasPrefix("env:") {
            let name = String(text.dropFirst(4))
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
            self = .environment(name)
        } else if text.hasPrefix("file:") {
            let path = String(text.dropFirst(5))
            guard path.hasPrefix("/") else { return nil }
            self = .file(path)
        } else {
            return nil
        }
    }

    /// The reference itself (never the secret): safe to log.
    public var description: String {
        switch self {
        case .environment(let name): return "env:\(name)"
        case .file(let path): return "file:\(path)"
        case .literal(let value): return "'\(value)'"
        case .inline: return "<inline value>"
        }
    }
}

/// A resolved secret. Printing or logging it shows `<redacted>`; only ``reveal()`` gives the value.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The secret's value, for the one place that must send it (an OAuth header, an HMAC key).
    public func reveal() -> String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
