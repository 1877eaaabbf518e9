#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PluginAPI

/// Conversions between ABI strings and Swift values. All the pointer arithmetic of PluginKit lives here
/// and in ``RequestBuffer``.
enum CText {
    /// Copies a borrowed ABI string into Swift bytes.
    static func bytes(_ text: ggw_type_str) -> [UInt8] {
        guard let pointer = text.ptr, text.len > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: text.len) {
            Array(UnsafeBufferPointer(start: $0, count: text.len))
        }
    }

    static func string(_ text: ggw_type_str) -> String {
        String(decoding: bytes(text), as: UTF8.self)
    }

    /// Writes `text` NUL-terminated into a C buffer, cut at a UTF-8 boundary when it does not fit.
    static func copy(_ text: String, into buffer: UnsafeMutablePointer<CChar>?, capacity: Int) {
        guard let buffer, capacity > 0 else { return }
        let utf8 = Array(text.utf8)
        var count = min(utf8.count, capacity - 1)
        // Never leave half a character: step back while the first byte left out continues a sequence.
        while count > 0, count < utf8.count, utf8[count] & 0xC0 == 0x80 { count -= 1 }
        for index in 0..<count { buffer[index] = CChar(bitPattern: utf8[index]) }
        buffer[count] = 0
    }

    /// Writes into one of the ABI's fixed `char[GGW_TEXT_CAPACITY]` fields (imported as a tuple).
    static func copy<T>(_ text: String, into field: inout T) {
        withUnsafeMutableBytes(of: &field) { raw in
            copy(text, into: raw.baseAddress?.assumingMemoryBound(to: CChar.self), capacity: raw.count)
        }
    }
}

/// The plugin-side allocation behind a built request: method, path and body in one buffer, released by
/// `on_sender_release` as the ABI's OWNERSHIP note says.
enum RequestBuffer {
    static func fill(_ out: UnsafeMutablePointer<ggw_type_build_result>, with request: PluginRequest) {
        let method = Array(request.method.utf8)
        let path = Array(request.path.utf8)
        let total = method.count + path.count + request.body.count
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(total, 1))
        var offset = 0
        func place(_ bytes: [UInt8]) -> ggw_type_str {
            let start = storage + offset
            for (index, byte) in bytes.enumerated() { start[index] = CChar(bitPattern: byte) }
            offset += bytes.count
            return ggw_type_str(ptr: UnsafePointer(start), len: bytes.count)
        }
        out.pointee.status = Int32(GGW_BUILD_OK.rawValue)
        out.pointee.method = place(method)
        out.pointee.path = place(path)
        out.pointee.body = place(request.body)
        out.pointee.plugin_data = UnsafeMutableRawPointer(storage)
    }

    static func release(_ result: UnsafeMutablePointer<ggw_type_build_result>) {
        result.pointee.plugin_data?.deallocate()
        result.pointee.plugin_data = nil
        result.pointee.method = ggw_type_str()
        result.pointee.path = ggw_type_str()
        result.pointee.body = ggw_type_str()
    }
}
