extension YAMLNode {
    /// The node as JSON text, for handing plugin settings across the C ABI.
    ///
    /// Plain scalars that read as YAML core-schema literals (`true`, `false`, `null`, numbers) become JSON
    /// literals; every other scalar, and every quoted one, becomes a JSON string.
    package var jsonText: String {
        switch self {
        case .scalar(let text, let plain, _):
            if plain {
                if ["true", "false", "null"].contains(text) { return text }
                if text == "~" || text.isEmpty { return "null" }
                // A YAML integer is not always a JSON one (`007`, `+5`): write its value, not its text.
                if let integer = Int(text) { return String(integer) }
                // A number no double can hold (`1e400`) is JSON by the grammar, but parsers refuse it or read it
                // as infinity: a plugin gets it as the text it was.
                if Self.isJSONNumber(text), Double(text)?.isFinite == true { return text }
            }
            return Self.quote(text)
        case .sequence(let items, _):
            return "[" + items.map(\.jsonText).joined(separator: ",") + "]"
        case .mapping(let pairs, _):
            return "{" + pairs.map { Self.quote($0.key.name) + ":" + $0.value.jsonText }.joined(separator: ",") + "}"
        }
    }

    /// JSON's number grammar: `-? int frac? exp?`, where int has no leading zeros.
    private static func isJSONNumber(_ text: String) -> Bool {
        text.wholeMatch(of: /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/) != nil
    }

    private static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(control.value, radix: 16).count)
                    + String(control.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
