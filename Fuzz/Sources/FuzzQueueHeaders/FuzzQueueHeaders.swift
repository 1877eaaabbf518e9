import CRabbitMQ
import Foundation
@testable import GatewayCore
@testable import AMQPTransport
@testable import Broker

/// The properties frame of a delivery (AMQP basic-class content header), as the consumer reads it: rabbitmq-c
/// decodes the wire bytes, `AMQPTable.read` turns the headers table into Swift values, `QueueHeaders.RetryState`
/// interprets them, and the retry and dead-letter copies are built from them.
///
/// The copies are then encoded to the wire and read back, as the next consumer will read them: that must give
/// the same headers (less keys too long for AMQP), or a message would lose its attempt count or first-attempt
/// time on its way through a tier.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    var pool = amqp_pool_t()
    init_amqp_pool(&pool, 4096)
    defer { empty_amqp_pool(&pool) }
    var decoded: UnsafeMutableRawPointer?
    let wire = amqp_bytes_t(len: size, bytes: UnsafeMutableRawPointer(mutating: data))
    guard Int(amqp_decode_properties(UInt16(AMQP_BASIC_CLASS), &pool, wire, &decoded)) == Int(AMQP_STATUS_OK.rawValue),
          let properties = decoded?.assumingMemoryBound(to: amqp_basic_properties_t.self).pointee
    else { return 0 }

    // As AMQPConnection.delivery(tag:redelivered:routingKey:message:) reads a delivery.
    let hasHeaders = properties._flags & amqp_flags_t(AMQP_BASIC_HEADERS_FLAG) != 0
    let hasID = properties._flags & amqp_flags_t(AMQP_BASIC_MESSAGE_ID_FLAG) != 0
    let headers = hasHeaders ? AMQPTable.read(properties.headers) : [:]
    let messageID = hasID ? AMQPTable.string(properties.message_id) : nil

    let state = QueueHeaders.RetryState(headers)
    guard (1...QueueHeaders.RetryState.maxAttempt).contains(Int64(state.attempt)) else {
        fatalError("attempt \(state.attempt) is outside 1...\(QueueHeaders.RetryState.maxAttempt)")
    }
    let org = OrgKey(tenantID: state.tenant ?? "fuzz", orgName: messageID ?? "main")
    let retried = QueueHeaders.retry(
        from: headers, attempt: state.attempt + 1, firstAttempt: state.firstAttempt ?? Date(), sequence: state.sequence ?? 0,
        reason: "fuzz", error: nil)
    let parked = QueueHeaders.final(from: headers, reason: "fuzz", error: nil, org: org)
    for copy in [retried, parked] {
        // Keys AMQP cannot carry are left out on purpose (AMQPTable.with); everything else must arrive.
        let expected = Dictionary(copy.filter { $0.0.utf8.count <= AMQPTable.maxKeyBytes }, uniquingKeysWith: { first, _ in first })
        guard let read = throughTheWire(copy, capacity: 8 * size + 4096, pool: &pool), read == expected else {
            fatalError("headers change on the wire: sent \(expected)")
        }
    }
    return 0
}

/// Encodes `entries` as rabbitmq-c does for a publish and decodes them as the consumer does.
/// - Parameter capacity: room for the encoded table; each decoded entry grows at most fourfold (an 8-bit
///   integer becomes a 64-bit one), the headers the gateway adds fit in 4 KiB.
private func throughTheWire(_ entries: [(String, AMQPFieldValue)], capacity: Int, pool: inout amqp_pool_t) -> [String: AMQPFieldValue]? {
    var buffer = [UInt8](repeating: 0, count: capacity)
    return buffer.withUnsafeMutableBytes { memory -> [String: AMQPFieldValue]? in
        let encoded = AMQPTable.with(entries) { table -> amqp_bytes_t? in
            var table = table
            var offset = 0
            guard Int(amqp_encode_table(amqp_bytes_t(len: memory.count, bytes: memory.baseAddress), &table, &offset))
                    == Int(AMQP_STATUS_OK.rawValue)
            else { return nil }
            return amqp_bytes_t(len: offset, bytes: memory.baseAddress)
        }
        guard let encoded else { return nil }
        var table = amqp_table_t()
        var offset = 0
        guard Int(amqp_decode_table(encoded, &pool, &table, &offset)) == Int(AMQP_STATUS_OK.rawValue) else { return nil }
        return AMQPTable.read(table)
    }
}
