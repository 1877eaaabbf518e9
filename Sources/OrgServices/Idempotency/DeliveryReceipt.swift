public import GatewayCore
/// Proof of delivery: Genesys' ids for the message, for status updates and the idempotency record.
public struct DeliveryReceipt: Sendable, Equatable {
    public var messageID: String
    public var org: OrgKey
    /// Genesys' id of the message (receipts and webhooks refer to it).
    public var genesysMessageID: String?
    public var conversationID: String?
    public var correlationID: String?
    /// Time spent in Genesys' HTTP call, as libcurl measured it.
    public var genesysDuration: Duration
    /// Genesys may hold the message twice: as this send started, another run's unfinished send of it was found
    /// (``SendStart/possiblySentElsewhere``). For the `sent` event; the idempotency record does not keep it.
    public var possibleDuplicate = false

    public init(
        messageID: String, org: OrgKey, genesysMessageID: String?, conversationID: String?, correlationID: String?,
        genesysDuration: Duration
    ) {
        self.messageID = messageID
        self.org = org
        self.genesysMessageID = genesysMessageID
        self.conversationID = conversationID
        self.correlationID = correlationID
        self.genesysDuration = genesysDuration
    }
}
