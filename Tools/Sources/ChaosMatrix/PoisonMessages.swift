import AMQPTransport
import Broker
import GatewayTestSupport

/// Crafted messages for the poison fault: headers and bodies no honest publisher sends. Each must end
/// delivered or dead-lettered — never crash the gateway, never vanish — while the honest traffic around it
/// keeps flowing.
///
/// Every body is unique (it carries `number`), so the dead-letter copy can be matched to what was published.
enum PoisonMessages {
    /// How many variants there are; message `number` gets variant `number % count`.
    static let count = 12

    /// Variant `number % count` for `org`, with the honest message `honest` as the base where a variant only
    /// spoils the headers.
    static func message(number: Int, org: SandboxTenant, honest: [UInt8], routingKey: String) -> (message: AMQPMessage, honestBody: Bool) {
        func headers(_ headers: [(String, AMQPFieldValue)]) -> (AMQPMessage, Bool) {
            (AMQPMessage(routingKey: routingKey, body: honest, headers: headers), true)
        }
        func body(_ text: String) -> (AMQPMessage, Bool) {
            (AMQPMessage(routingKey: routingKey, body: Array(text.utf8)), false)
        }
        switch number % count {
        // A first attempt 285 years ago (once trapped an Int64(Double) conversion), far in the future, and a text.
        case 0: return headers([(QueueHeaders.firstAttemptMilliseconds, .int(-9_000_000_000_000))])
        case 1: return headers([(QueueHeaders.firstAttemptMilliseconds, .int(Int64.max))])
        case 2: return headers([(QueueHeaders.firstAttemptMilliseconds, .string("1e400")), (QueueHeaders.attempt, .string("-1"))])
        // An attempt count at the top of the range and a sequence number out of any range.
        case 3: return headers([(QueueHeaders.attempt, .int(Int64.max)), (QueueHeaders.sequence, .int(Int64.min))])
        case 4: return body("not json \(number)")
        case 5:
            // Invalid UTF-8 around a number.
            return (AMQPMessage(routingKey: routingKey, body: [0xFF, 0xFE, 0xC0] + Array("\(number)".utf8) + [0xED, 0xA0, 0x80]), false)
        case 6:
            // 60,000 nested arrays: a recursive parser's stack.
            return body(#"{"n":\#(number),"x":"# + String(repeating: "[", count: 60_000) + String(repeating: "]", count: 60_000) + "}")
        // A tenant that does not exist, a fresh one each time (the dispatcher must not keep state per name).
        case 7: return body(#"{"id":"poison-\#(number)","tenantId":"evil-\#(number)","org":"main","type":"text","textBody":"x","sender":{"id":"+1555","idType":"Phone"}}"#)
        case 8: return body(#"{"id":\#(number),"tenantId":["\#(org.tenant)"],"type":{"text":1},"textBody":null}"#)
        // A text far beyond Genesys' limits.
        case 9: return body(#"{"id":"poison-\#(number)","tenantId":"\#(org.tenant)","org":"main","type":"text","textBody":""# + String(repeating: "A", count: 300_000) + #"","sender":{"id":"+1555","idType":"Phone"}}"#)
        case 10: return body(#"{"id":"poison-\#(number)","tenantId":"\#(org.tenant)","org":"main","type":"carrier-pigeon","sender":{"id":"+1555","idType":"Phone"}}"#)
        default: return body(#"{"id":"poison-\#(number)","tenantId":"\#(org.tenant)","org":"\#(String(repeating: "o", count: 10_000))","type":"text","textBody":"x","sender":{"id":"+1555","idType":"Phone"}}"#)
        }
    }
}
