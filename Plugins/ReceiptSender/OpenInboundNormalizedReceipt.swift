/// Genesys' OpenInboundNormalizedReceipt (`open_messaging_models.json`): the status of an agent message, as
/// the customer's channel reports it.
struct OpenInboundNormalizedReceipt: Encodable {
    /// Genesys' id of the agent message.
    var id: String
    var channel: Channel
    var status: String
    var reasons: [QueuedReceipt.Reason]?
    var isFinalReceipt: Bool?

    /// OpenInboundMessagingReceiptChannel: the customer is `to`.
    struct Channel: Encodable {
        var to: Recipient
        var time: String
    }

    /// OpenMessagingToRecipient.
    struct Recipient: Encodable {
        var id: String
        var idType: String?
    }
}
