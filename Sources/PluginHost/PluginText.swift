import PluginAPI

/// Reads the ABI's strings into Swift values on the host side.
enum PluginText {
    static func bytes(_ text: ggw_type_str) -> [UInt8] {
        guard let pointer = text.ptr, text.len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: text.len))
    }

    static func string(_ text: ggw_type_str) -> String {
        String(decoding: bytes(text), as: UTF8.self)
    }

    /// A `char[GGW_TEXT_CAPACITY]` field (imported as a tuple), read up to its first NUL.
    static func fixedString<T>(_ field: inout T) -> String {
        withUnsafeBytes(of: &field) { raw in
            let end = raw.firstIndex(of: 0) ?? raw.count
            return String(decoding: raw[..<end], as: UTF8.self)
        }
    }

    static func cString(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
