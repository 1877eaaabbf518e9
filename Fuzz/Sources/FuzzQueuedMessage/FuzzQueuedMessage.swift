import Foundation
import PluginKit

/// A queued message's body (`genesys.outbound`), as `DeliveryService` and the HTTP API decode it.
///
/// `QueuedMessage.decode` reads with the gateway's own `JSONReader`; Foundation's `JSONDecoder` must agree with
/// it on every input: both decode it to the same message, or both refuse it (their wording may differ), except
/// for the contents of strings in members nobody reads: JSONReader checks every string (UTF-8, escapes,
/// control characters), JSONDecoder only those it decodes; and JSONDecoder also reads UTF-16 and UTF-32. A
/// message that decodes must also survive encoding and decoding again unchanged: the gateway re-publishes
/// queued messages to retry tiers and the dead-letter queue, and a second reader must see the same message.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let foundation = try? JSONDecoder().decode(QueuedMessage.self, from: Data(bytes))
    switch QueuedMessage.decode(bytes) {
    case .failure(let failure):
        _ = "\(failure)"
        if let foundation, !refusesAStringsContent(failure), !mayBeUTF16Or32(bytes) {
            fatalError("JSONDecoder decodes what JSONReader refuses (\(failure)): \(foundation)")
        }
    case .success(let message):
        guard foundation == message else {
            fatalError("JSONDecoder reads \(String(describing: foundation)) where JSONReader reads \(message)")
        }
        guard let encoded = try? JSONEncoder().encode(message) else { fatalError("a decoded message does not encode: \(message)") }
        guard case .success(let again) = QueuedMessage.decode(Array(encoded)), again == message else {
            fatalError("a decoded message changes through encode and decode: \(message)")
        }
    }
    return 0
}

/// Whether JSONReader refused the inside of a string literal, which JSONDecoder does not look at in members
/// it skips.
private func refusesAStringsContent(_ failure: ValidationFailure) -> Bool {
    ["is not valid UTF-8", "control character must be escaped", "unknown escape", "escape needs 4 hex digits", "surrogate"]
        .contains { failure.reason.contains($0) }
}

/// Whether JSONDecoder would take `bytes` for UTF-16 or UTF-32 (a byte order mark, or a zero byte among the
/// first four), which JSONReader does not read.
private func mayBeUTF16Or32(_ bytes: [UInt8]) -> Bool {
    bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.prefix(4).contains(0)
}
