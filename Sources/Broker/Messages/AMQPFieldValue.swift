/// A header or argument value, as far as the gateway uses AMQP tables.
public enum AMQPFieldValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case bool(Bool)

    public var stringValue: String? {
        switch self {
        case .string(let value): return value
        case .int(let value): return String(value)
        case .bool(let value): return String(value)
        }
    }

    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .string(let value): return Int64(value)
        case .bool: return nil
        }
    }
}
