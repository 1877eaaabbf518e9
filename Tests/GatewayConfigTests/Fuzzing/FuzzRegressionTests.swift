import CRabbitMQ
import Foundation
import Testing
@testable import AMQPTransport
@testable import GatewayYAML
@testable import Broker

/// What the libFuzzer targets (Fuzz/, docs/fuzzing.md) found, kept fixed. Each finding's input is also in its
/// target's seed corpus as `Fuzz/corpus/<target>/regression-*`, so every fuzz run replays it too.
@Suite struct FuzzRegressionTests {
    /// tenant-yaml found a plain `00` becoming the JSON text `00`: a plugin's settings reach it as JSON, and
    /// YAML integers with a sign or leading zeros are not JSON numbers, so no JSON reader took them.
    @Test(arguments: [("00", "0"), ("007", "7"), ("+5", "5"), ("-0", "0"), ("-12", "-12"), ("1.5e3", "1.5e3")])
    func yamlNumbersReachPluginsAsJSONNumbers(yaml: String, json: String) throws {
        let node = try YAMLParser.parse(Array("limit: \(yaml)".utf8))
        #expect(node.jsonText == #"{"limit":\#(json)}"#)
        #expect((try? JSONSerialization.jsonObject(with: Data(node.jsonText.utf8))) != nil)
    }

    /// tenant-yaml (CI, stop 33) found a plain `1e400` written as the JSON number `1e400`: by JSON's grammar a
    /// number, but beyond any double, so JSON readers refuse it or read infinity. It reaches a plugin as its text.
    @Test(arguments: [("1e400", #""1e400""#), ("-1e400", #""-1e400""#), ("1e-400", "1e-400"), ("1e308", "1e308")])
    func yamlNumbersBeyondADoubleReachPluginsAsText(yaml: String, json: String) throws {
        let node = try YAMLParser.parse(Array("limit: \(yaml)".utf8))
        #expect(node.jsonText == #"{"limit":\#(json)}"#)
        #expect((try? JSONSerialization.jsonObject(with: Data(node.jsonText.utf8))) != nil)
    }

    /// queue-headers found a delivery whose header key, read with invalid UTF-8 (each bad byte becomes a 3-byte
    /// U+FFFD), grew past AMQP's 255-byte keys; rabbitmq-c wrote its length modulo 256, so the retry copy's
    /// frame was corrupt. Such a key is now left out of a published table, and the rest arrives intact.
    @Test func headerKeysTooLongForAMQPAreLeftOutOfPublishedTables() {
        let tooLong = String(repeating: "\u{FFFD}", count: 100)
        let entries: [(String, AMQPFieldValue)] = [(tooLong, .int(1)), (QueueHeaders.attempt, .int(2))]
        #expect(Self.throughTheWire(entries) == [QueueHeaders.attempt: .int(2)])
    }

    /// Encodes `entries` as a publish does and decodes them as a consumer does; nil when either step refuses.
    private static func throughTheWire(_ entries: [(String, AMQPFieldValue)]) -> [String: AMQPFieldValue]? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        return buffer.withUnsafeMutableBytes { memory in
            AMQPTable.with(entries) { table -> [String: AMQPFieldValue]? in
                var table = table
                var written = 0
                guard amqp_encode_table(amqp_bytes_t(len: memory.count, bytes: memory.baseAddress), &table, &written)
                        == AMQP_STATUS_OK.rawValue
                else { return nil }
                var pool = amqp_pool_t()
                init_amqp_pool(&pool, 4096)
                defer { empty_amqp_pool(&pool) }
                var decoded = amqp_table_t()
                var read = 0
                guard amqp_decode_table(amqp_bytes_t(len: written, bytes: memory.baseAddress), &pool, &decoded, &read)
                        == AMQP_STATUS_OK.rawValue
                else { return nil }
                return AMQPTable.read(decoded)
            }
        }
    }
}
