import Foundation
import GatewayHost
import PluginKit

/// A queued message's body (`genesys.outbound`), as `DeliveryService` and the HTTP API decode it.
///
/// A message that decodes must survive encoding and decoding again unchanged: the gateway re-publishes
/// queued messages to retry tiers and the dead-letter queue, and a second reader must see the same message.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    switch QueuedMessage.decode(bytes) {
    case .failure(let failure):
        _ = "\(failure)"
    case .success(let message):
        guard let encoded = try? JSONEncoder().encode(message) else { fatalError("a decoded message does not encode: \(message)") }
        guard case .success(let again) = QueuedMessage.decode(Array(encoded)), again == message else {
            fatalError("a decoded message changes through encode and decode: \(message)")
        }
    }
    return 0
}
