/// An agent's message (or a receipt or event) from Genesys, as the gateway publishes it to `genesys.inbound`
/// for the channel side: `schemas/inbound-agent-message.schema.json` and docs/webhook.md define the JSON.
/// Field names are the JSON names.
public struct InboundAgentMessage: Codable, Sendable, Equatable {
    public var tenantId: String
    public var org: String
    /// Genesys' id of this message: receipts for it (message type `receipt`) name it.
    public var genesysMessageId: String
    public var conversationId: String?
    /// The Open Messaging integration it came through (`channel.id`).
    public var integrationId: String?
    /// `text`, `structured`, `event`, `receipt`, or another Genesys type in lower case: the routing key's last word.
    public var kind: String
    /// Genesys' `type`, as sent (`Text`, `Structured`, ...).
    public var genesysType: String
    /// Who the message is for (`channel.to.id`): the customer's id on the channel.
    public var customerId: String
    public var customerIdType: String?
    /// Who wrote it (`channel.from`), as far as Genesys says.
    public var agent: Agent?
    public var text: String?
    /// Attachments, by URL.
    public var attachments: [Attachment]?
    /// Content other than attachments (quick replies, buttons, cards, ...), in Genesys' own shape.
    public var content: [PassThroughJSON]?
    /// With kind `event`: Genesys' events (typing, ...), in Genesys' own shape.
    public var events: [PassThroughJSON]?
    /// With kind `receipt`: the status Genesys reports for a message the customer sent.
    public var receipt: Receipt?
    public var metadata: [String: String]?
    /// When Genesys says the message was sent (`channel.time`), ISO-8601.
    public var time: String
    /// When the gateway received it, ISO-8601 UTC.
    public var receivedAt: String

    public struct Agent: Codable, Sendable, Equatable {
        public var id: String?
        public var nickname: String?
        public var firstName: String?
        public var lastName: String?
        public var image: String?
    }

    public struct Attachment: Codable, Sendable, Equatable {
        public var id: String?
        /// Image, Video, Audio, File or Link.
        public var mediaType: String
        public var url: String
        public var mime: String?
        public var filename: String?
        /// A caption.
        public var text: String?
        public var sha256: String?
        public var contentSizeBytes: Int?
    }

    public struct Receipt: Codable, Sendable, Equatable {
        /// Sent, Delivered, Failed, Published or Removed.
        public var status: String
        public var reasons: [Reason]?
        public var isFinalReceipt: Bool?
    }

    public struct Reason: Codable, Sendable, Equatable {
        public var code: String?
        public var message: String
    }
}
