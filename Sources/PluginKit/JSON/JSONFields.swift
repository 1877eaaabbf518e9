/// One JSON object being decoded into a message type, field by field, with failures that name the field's
/// JSON path (`content[0].attachment.url`) in the words the `JSONDecoder`-based decoding uses.
public struct JSONFields {
    public let object: JSONObject
    /// The object's own path; empty for the document itself.
    public let path: String

    public init(_ object: JSONObject, path: String = "") {
        self.object = object
        self.path = path
    }

    /// The document's top-level object.
    public init(document value: JSONValue) throws(ValidationFailure) {
        guard case .object(let object) = value else {
            throw ValidationFailure(field: "", reason: "the message must be a JSON object, got \(value.kindName)")
        }
        self.init(object)
    }

    public func path(of key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    public func string(_ key: String) throws(ValidationFailure) -> String {
        guard let value = object[key] else { throw Self.missing(path(of: key)) }
        return try Self.string(value, at: path(of: key))
    }

    /// The string at `key`, or nil when it is absent or null.
    public func optionalString(_ key: String) throws(ValidationFailure) -> String? {
        guard let value = object[key], value != .null else { return nil }
        return try Self.string(value, at: path(of: key))
    }

    /// The object at `key`, or nil when it is absent or null.
    public func optionalObject(_ key: String) throws(ValidationFailure) -> JSONFields? {
        guard let value = object[key], value != .null else { return nil }
        guard case .object(let nested) = value else { throw Self.mismatch(path(of: key), "an object", got: value) }
        return JSONFields(nested, path: path(of: key))
    }

    /// The list at `key`, each element decoded by `element` (given its path), or nil when absent or null.
    public func optionalList<Element>(
        _ key: String, _ element: (JSONValue, String) throws(ValidationFailure) -> Element
    ) throws(ValidationFailure) -> [Element]? {
        guard let value = object[key], value != .null else { return nil }
        guard case .array(let values) = value else { throw Self.mismatch(path(of: key), "a list", got: value) }
        var elements: [Element] = []
        elements.reserveCapacity(values.count)
        for (offset, value) in values.enumerated() {
            elements.append(try element(value, "\(path(of: key))[\(offset)]"))
        }
        return elements
    }

    /// The object of strings at `key`, or nil when absent or null.
    public func optionalStringMap(_ key: String) throws(ValidationFailure) -> [String: String]? {
        guard let value = object[key], value != .null else { return nil }
        guard case .object(let map) = value else { throw Self.mismatch(path(of: key), "an object of strings", got: value) }
        var strings: [String: String] = [:]
        // A repeated key means its first value, unchecked after that, as with `JSONDecoder`.
        for member in map.members where strings[member.key] == nil {
            strings[member.key] = try Self.string(member.value, at: "\(path(of: key)).\(member.key)")
        }
        return strings
    }

    /// An element of a list that must be an object.
    public static func object(_ value: JSONValue, at path: String) throws(ValidationFailure) -> JSONFields {
        guard case .object(let object) = value else { throw mismatch(path, "an object", got: value) }
        return JSONFields(object, path: path)
    }

    static func string(_ value: JSONValue, at path: String) throws(ValidationFailure) -> String {
        guard case .string(let text) = value else { throw mismatch(path, "a string", got: value) }
        return text
    }

    static func missing(_ path: String) -> ValidationFailure {
        ValidationFailure(field: path, reason: "required field '\(path)' is missing")
    }

    static func mismatch(_ path: String, _ expected: String, got value: JSONValue) -> ValidationFailure {
        value == .null
            ? ValidationFailure(field: path, reason: "'\(path)' must be \(expected), not null")
            : ValidationFailure(field: path, reason: "'\(path)' must be \(expected)")
    }
}
