import Foundation
import PluginKit

/// A queued message of type `receipt`: the channel side's report on an agent message it was given
/// (schemas/outbound-message.schema.json, "receipt fields"). Field names are the JSON names.
struct QueuedReceipt: Decodable {
    /// Our id for the receipt itself (the idempotency key).
    var id: String
    var type: String
    /// Genesys' id of the agent message (`genesysMessageId` of the message from `genesys.inbound`).
    var genesysMessageId: String
    /// The customer the agent message was for (`customerId` of the message from `genesys.inbound`).
    var customerId: String
    var customerIdType: String?
    /// Sent, Delivered, Failed, Published or Removed.
    var status: String
    /// Why it failed; only with status `Failed`.
    var reasons: [Reason]?
    /// True when no further receipt will follow for this message.
    var isFinalReceipt: Bool?
    /// When the status came about, ISO-8601 (becomes `channel.time`).
    var createdAt: String

    struct Reason: Codable {
        var code: String?
        var message: String
    }

    static func decode(_ bytes: [UInt8]) -> Result<QueuedReceipt, ValidationFailure> {
        do {
            return .success(try JSONDecoder().decode(QueuedReceipt.self, from: Data(bytes)))
        } catch let error as DecodingError {
            return .failure(ValidationFailure(decodingError: error))
        } catch {
            return .failure(ValidationFailure(field: "", reason: "message is not valid JSON"))
        }
    }
}
