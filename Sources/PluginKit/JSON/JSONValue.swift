/// A JSON document as ``JSONReader`` reads it: the shape and text of every value, nothing converted yet.
///
/// Objects keep their members in document order; a key given twice means its first value, as with
/// Foundation's `JSONDecoder`.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number as written: a run of the characters numbers are made of, its grammar not yet checked.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// What a validation message calls this kind of value ("got a list").
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}

/// The members of a JSON object, in document order.
public struct JSONObject: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public var members: [Member]

    public init(members: [Member] = []) {
        self.members = members
    }

    /// The value of `key` (its first one, when the document repeats the key), or nil when absent.
    public subscript(key: String) -> JSONValue? {
        members.first { $0.key == key }?.value
    }
}
