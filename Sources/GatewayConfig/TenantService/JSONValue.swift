/// Any JSON value, as the tenant service's document holds it, kept apart by JSON type (a quoted `"10"` is
/// a string, `10` a number) so the tenant decoder applies the same type rules as to a YAML file.
indirect enum JSONValue: Sendable, Decodable {
    case null
    case bool(Bool)
    /// The number as text, as the YAML reader would see it (`20`, `0.5`).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in key order (JSON objects have none; sorting keeps messages stable).
    case object([(key: String, value: JSONValue)])

    init(from decoder: any Decoder) throws {
        if var items = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !items.isAtEnd { values.append(try items.decode(JSONValue.self)) }
            self = .array(values)
        } else if let members = try? decoder.container(keyedBy: MemberKey.self) {
            self = .object(try members.allKeys.sorted { $0.stringValue < $1.stringValue }.map { key in
                (key.stringValue, try members.decode(JSONValue.self, forKey: key))
            })
        } else {
            let value = try decoder.singleValueContainer()
            if value.decodeNil() {
                self = .null
            } else if let flag = try? value.decode(Bool.self) {
                self = .bool(flag)
            } else if let integer = try? value.decode(Int64.self) {
                self = .number(String(integer))
            } else if let number = try? value.decode(Double.self) {
                self = .number("\(number)")
            } else {
                self = .string(try value.decode(String.self))
            }
        }
    }

    /// The member named `key` of an object; nil for anything else.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    private struct MemberKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
