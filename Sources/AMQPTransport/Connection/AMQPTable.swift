import Broker
import CGatewayShims
import CRabbitMQ
import Foundation

/// Builds and reads rabbitmq-c's `amqp_table_t`. All pointer work for tables is in this file.
enum AMQPTable {
    /// The longest key AMQP can carry: keys are short strings.
    static let maxKeyBytes = 255

    /// Runs `body` with a C table holding `entries`; the memory lives until `body` returns.
    ///
    /// An entry whose key is longer than ``maxKeyBytes`` is left out: rabbitmq-c would write the key's length
    /// modulo 256 and corrupt the frame, and the broker would close the connection on every redelivery. Such
    /// a key comes from a header read with invalid UTF-8, each bad byte growing into a 3-byte U+FFFD.
    static func with<Result>(
        _ allEntries: [(String, AMQPFieldValue)], _ body: (amqp_table_t) throws -> Result
    ) rethrows -> Result {
        let entries = allEntries.filter { $0.0.utf8.count <= maxKeyBytes }
        guard !entries.isEmpty else { return try body(amqp_empty_table) }
        var allocations: [UnsafeMutableRawPointer] = []
        defer { allocations.forEach { $0.deallocate() } }
        func bytes(_ text: String) -> amqp_bytes_t {
            let utf8 = Array(text.utf8)
            let memory = UnsafeMutableRawPointer.allocate(byteCount: max(utf8.count, 1), alignment: 1)
            allocations.append(memory)
            memory.copyMemory(from: utf8, byteCount: utf8.count)
            return amqp_bytes_t(len: utf8.count, bytes: memory)
        }
        let table = UnsafeMutablePointer<amqp_table_entry_t>.allocate(capacity: entries.count)
        allocations.append(UnsafeMutableRawPointer(table))
        for (index, (key, value)) in entries.enumerated() {
            var field = amqp_field_value_t()
            switch value {
            case .string(let text):
                field.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
                field.value.bytes = bytes(text)
            case .int(let number):
                field.kind = UInt8(AMQP_FIELD_KIND_I64.rawValue)
                field.value.i64 = number
            case .bool(let flag):
                field.kind = UInt8(AMQP_FIELD_KIND_BOOLEAN.rawValue)
                field.value.boolean = flag ? 1 : 0
            }
            table[index] = amqp_table_entry_t(key: bytes(key), value: field)
        }
        return try body(amqp_table_t(num_entries: Int32(entries.count), entries: table))
    }

    /// The table's entries the gateway understands (strings, integers, booleans); others are skipped.
    static func read(_ table: amqp_table_t) -> [String: AMQPFieldValue] {
        var result: [String: AMQPFieldValue] = [:]
        guard let entries = table.entries else { return result }
        for index in 0..<Int(table.num_entries) {
            let entry = entries[index]
            let key = string(entry.key)
            let value = entry.value
            switch UInt32(value.kind) {
            case AMQP_FIELD_KIND_UTF8.rawValue, AMQP_FIELD_KIND_BYTES.rawValue: result[key] = .string(string(value.value.bytes))
            case AMQP_FIELD_KIND_I64.rawValue: result[key] = .int(value.value.i64)
            case AMQP_FIELD_KIND_U64.rawValue, AMQP_FIELD_KIND_TIMESTAMP.rawValue: result[key] = .int(Int64(clamping: value.value.u64))
            case AMQP_FIELD_KIND_I32.rawValue: result[key] = .int(Int64(value.value.i32))
            case AMQP_FIELD_KIND_U32.rawValue: result[key] = .int(Int64(value.value.u32))
            case AMQP_FIELD_KIND_I16.rawValue: result[key] = .int(Int64(value.value.i16))
            case AMQP_FIELD_KIND_U16.rawValue: result[key] = .int(Int64(value.value.u16))
            case AMQP_FIELD_KIND_I8.rawValue: result[key] = .int(Int64(value.value.i8))
            case AMQP_FIELD_KIND_U8.rawValue: result[key] = .int(Int64(value.value.u8))
            case AMQP_FIELD_KIND_BOOLEAN.rawValue: result[key] = .bool(value.value.boolean != 0)
            default: continue
            }
        }
        return result
    }

    static func string(_ bytes: amqp_bytes_t) -> String {
        guard let pointer = bytes.bytes, bytes.len > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: bytes.len), as: UTF8.self)
    }

    static func data(_ bytes: amqp_bytes_t) -> [UInt8] {
        guard let pointer = bytes.bytes, bytes.len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: bytes.len))
    }
}
