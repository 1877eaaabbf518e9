/// Reads JSON text (RFC 8259) into a ``JSONValue``, for the documents read once per message (queued messages),
/// where Foundation's `JSONDecoder` costs more than the rest of a sender's work.
///
/// Strict but for what Foundation's decoder also takes (a comma after the last member or element, a number's
/// grammar left to whoever reads it, a leading UTF-8 byte order mark; unlike Foundation it takes no UTF-16 or
/// UTF-32), and safe on any input: every index is checked before use, nesting is limited to
/// ``maximumDepth``, strings must be valid UTF-8 without lone surrogates, and anything after the value other
/// than whitespace is an error. An error says what was wrong and at which byte.
public struct JSONReader {
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        /// Offset of the offending byte from the start of the document.
        public var offset: Int
        public var reason: String

        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Deeper documents are refused rather than read with ever deeper recursion (Foundation's limit too).
    public static let maximumDepth = 512

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The value `bytes` holds: exactly one, with only whitespace around it.
    public static func read(_ bytes: [UInt8]) throws(SyntaxError) -> JSONValue {
        var reader = JSONReader(bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3 }  // a UTF-8 byte order mark (RFC 8259 §8.1)
        let value = try reader.readValue()
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw reader.error("unexpected text after the JSON value") }
        return value
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private func error(_ reason: String) -> SyntaxError {
        SyntaxError(offset: index, reason: reason)
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            index += 1
        }
    }

    private mutating func readValue() throws(SyntaxError) -> JSONValue {
        skipWhitespace()
        guard let byte = current else { throw error("unexpected end of the document") }
        switch byte {
        case UInt8(ascii: "{"): return .object(try readObject())
        case UInt8(ascii: "["): return .array(try readArray())
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(readNumber())
        default: throw error("unexpected character '\(Self.printable(byte))'")
        }
    }

    private mutating func enter() throws(SyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw error("nested more than \(Self.maximumDepth) levels deep") }
    }

    private mutating func readObject() throws(SyntaxError) -> JSONObject {
        try enter()
        defer { depth -= 1 }
        index += 1  // {
        var object = JSONObject()
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return object
        }
        while true {
            skipWhitespace()
            if current == UInt8(ascii: "}"), !object.members.isEmpty {
                index += 1  // a trailing comma, which Foundation's JSONDecoder accepts too
                return object
            }
            guard current == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
            let key = try readString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after the member name") }
            index += 1
            object.members.append(JSONObject.Member(key: key, value: try readValue()))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return object
            default: throw error("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func readArray() throws(SyntaxError) -> [JSONValue] {
        try enter()
        defer { depth -= 1 }
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return elements
        }
        while true {
            skipWhitespace()
            if current == UInt8(ascii: "]"), !elements.isEmpty {
                index += 1  // a trailing comma, which Foundation's JSONDecoder accepts too
                return elements
            }
            elements.append(try readValue())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return elements
            default: throw error("expected ',' or ']' in a list")
            }
        }
    }

    private mutating func expectWord(_ word: StaticString) throws(SyntaxError) {
        let start = index
        var matches = true
        word.withUTF8Buffer { expected in
            for byte in expected {
                guard current == byte else {
                    matches = false
                    return
                }
                index += 1
            }
        }
        guard matches else {
            index = start
            throw error("unexpected character '\(Self.printable(bytes[start]))'")
        }
    }

    /// A number, as written: the run of characters a number may hold (digits, `-`, `+`, `.`, `e`, `E`), as
    /// Foundation's decoder skips a number it does not decode. Its grammar is checked by whoever reads it as a
    /// number; no member of a queued message is one, so a message is not refused for a number nobody reads.
    private mutating func readNumber() -> String {
        let start = index
        while let byte = current, Self.mayBeInNumber(byte) {
            index += 1
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private static func mayBeInNumber(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"),
            UInt8(ascii: "E"):
            return true
        default:
            return false
        }
    }

    /// A string from its opening quote: unescaped runs are copied as they are, escapes decoded, and the
    /// result checked to be UTF-8.
    private mutating func readString() throws(SyntaxError) -> String {
        index += 1  // "
        let start = index
        // The common case, no escapes: one validating copy of the bytes between the quotes.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 {
            index += 1
        }
        if current == UInt8(ascii: "\"") {
            let run = bytes[start..<index]
            index += 1
            return try text(run, from: start)
        }
        var decoded = Array(bytes[start..<index])
        while true {
            guard let byte = current else { throw error("a string is not closed") }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try text(decoded[...], from: start)
            case UInt8(ascii: "\\"):
                index += 1
                try readEscape(into: &decoded)
            case 0..<0x20:
                throw error("a control character must be escaped in a string")
            default:
                decoded.append(byte)
                index += 1
            }
        }
    }

    private func text(_ utf8: ArraySlice<UInt8>, from start: Int) throws(SyntaxError) -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw SyntaxError(offset: start, reason: "a string is not valid UTF-8")
        }
        return text
    }

    private mutating func readEscape(into decoded: inout [UInt8]) throws(SyntaxError) {
        guard let byte = current else { throw error("a string is not closed") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(byte)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try readHex4())
            if (0xD800...0xDBFF).contains(scalar) {
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error("a high surrogate escape must be followed by a low one")
                }
                index += 2
                let low = UInt32(try readHex4())
                guard (0xDC00...0xDFFF).contains(low) else { throw error("a high surrogate escape must be followed by a low one") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("a low surrogate escape without a high one")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("not a Unicode scalar") }
            decoded.append(contentsOf: String(Character(unicode)).utf8)
        default:
            index -= 1
            throw error("unknown escape '\\\(Self.printable(byte))'")
        }
    }

    private mutating func readHex4() throws(SyntaxError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw error("a \\u escape needs 4 hex digits") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("a \\u escape needs 4 hex digits")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    /// A byte as an error message shows it: the character when printable ASCII, else its hex code.
    private static func printable(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(UnicodeScalar(byte)) : "0x" + String(byte, radix: 16)
    }
}
