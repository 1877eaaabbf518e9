/// Writes one JSON object straight into bytes, for documents written once per message (Genesys request
/// bodies, status events, idempotency lines), where `JSONEncoder`'s allocations and key sorting cost more than
/// the rest of the work.
///
/// Members are written in the order they are added (callers add them sorted, as `JSONEncoder` with
/// `.sortedKeys` would); strings are escaped as `JSONEncoder` escapes them with `.withoutEscapingSlashes`.
public struct JSONObjectWriter {
    public private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var isFirst = true

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func add(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        startMember(key)
        Self.appendString(value, to: &bytes)
    }

    public mutating func add(_ key: StaticString, _ value: Int?) {
        guard let value else { return }
        startMember(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func add(_ key: StaticString, _ value: Bool?) {
        guard let value else { return }
        startMember(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A nested object, written by `body`.
    public mutating func addObject(_ key: StaticString, _ body: (inout JSONObjectWriter) -> Void) {
        startMember(key)
        appendObject(body)
    }

    /// An object of strings, its keys sorted by their UTF-8 bytes (as Foundation's `.sortedKeys` on Linux).
    public mutating func add(_ key: StaticString, _ strings: [String: String]?) {
        guard let strings else { return }
        startMember(key)
        var object = JSONObjectWriter(capacity: 64)
        for (name, value) in strings.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            object.startMember(writingKey: { Self.appendString(name, to: &$0) })
            Self.appendString(value, to: &object.bytes)
        }
        bytes.append(contentsOf: object.finish())
    }

    /// A list of objects, each written by `body`.
    public mutating func addList<Element>(_ key: StaticString, _ elements: [Element]?, _ body: (Element, inout JSONObjectWriter) -> Void) {
        guard let elements else { return }
        startMember(key)
        bytes.append(UInt8(ascii: "["))
        for (offset, element) in elements.enumerated() {
            if offset > 0 { bytes.append(UInt8(ascii: ",")) }
            appendObject { body(element, &$0) }
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// The finished object.
    public mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private mutating func appendObject(_ body: (inout JSONObjectWriter) -> Void) {
        var nested = JSONObjectWriter(capacity: 128)
        body(&nested)
        bytes.append(contentsOf: nested.finish())
    }

    private mutating func startMember(_ key: StaticString) {
        startMember { bytes in
            bytes.append(UInt8(ascii: "\""))
            key.withUTF8Buffer { bytes.append(contentsOf: $0) }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private mutating func startMember(writingKey writeKey: (inout [UInt8]) -> Void) {
        if !isFirst { bytes.append(UInt8(ascii: ",")) }
        isFirst = false
        writeKey(&bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    public static func appendString(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(hexDigit(byte >> 4))
                bytes.append(hexDigit(byte & 0x0F))
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
