import Foundation
import PluginKit

/// A queued message of type `buttonResponse`: the message contract's common fields plus the customer's answer to
/// an agent's quick reply, button or date picker (schemas/outbound-message.schema.json, "buttonResponse fields").
struct QueuedButtonResponse: Decodable {
    /// The common fields (`id`, `type`, `sender`, `createdAt`, ...), which build `channel` as for a text message.
    var message: QueuedMessage
    var buttonResponse: Button
    /// Genesys' id of the agent message whose button was tapped (`genesysMessageId` of the message from
    /// `genesys.inbound`).
    var originatingMessageId: String

    /// What the customer chose, in Genesys' ContentButtonResponse shape.
    struct Button: Decodable {
        /// Optional in the model: the id of the chosen button, when the agent message gave one.
        var id: String?
        /// Button, QuickReply or DatePicker.
        var type: String
        /// The label the customer saw.
        var text: String
        /// The value behind the choice (for a date picker, the chosen date).
        var payload: String
    }

    private enum CodingKeys: String, CodingKey {
        case buttonResponse, originatingMessageId
    }

    /// One parse for both parts: the common fields come from the same decoder, so a missing `sender` and a missing
    /// `buttonResponse.text` are named alike.
    init(from decoder: any Decoder) throws {
        message = try QueuedMessage(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        buttonResponse = try container.decode(Button.self, forKey: .buttonResponse)
        originatingMessageId = try container.decode(String.self, forKey: .originatingMessageId)
    }
}
