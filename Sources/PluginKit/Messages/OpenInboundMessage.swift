/// The Genesys Open Messaging bodies the shipped senders build, with Genesys' own field names
/// (`open_messaging_models.json`: OpenInboundNormalizedMessage and the models it uses).
public struct OpenInboundNormalizedMessage: Encodable, Sendable, Equatable {
    public var channel: OpenInboundMessageMessagingChannel
    public var text: String?
    public var content: [OpenInboundMessageContent]?
    public var metadata: [String: String]?

    public init(
        channel: OpenInboundMessageMessagingChannel, text: String? = nil, content: [OpenInboundMessageContent]? = nil,
        metadata: [String: String]? = nil
    ) {
        self.channel = channel
        self.text = text
        self.content = content
        self.metadata = metadata
    }
}

/// `channel` of an inbound message: who sent it, when, and our id for it.
public struct OpenInboundMessageMessagingChannel: Encodable, Sendable, Equatable {
    public var messageId: String?
    public var from: OpenMessagingFromRecipient
    public var time: String

    public init(messageId: String?, from: OpenMessagingFromRecipient, time: String) {
        self.messageId = messageId
        self.from = from
        self.time = time
    }
}

/// `channel.from`: the customer.
public struct OpenMessagingFromRecipient: Encodable, Sendable, Equatable {
    public var id: String
    public var idType: String
    public var nickname: String?
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var image: String?

    /// The recipient for a queued message's sender.
    public init(_ sender: QueuedMessage.Sender) {
        id = sender.id
        idType = sender.idType
        nickname = sender.nickname
        firstName = sender.firstName
        lastName = sender.lastName
        email = sender.email
        image = sender.image
    }
}

/// One `content[]` entry of an inbound message: Genesys takes exactly one attachment per message.
public struct OpenInboundMessageContent: Encodable, Sendable, Equatable {
    public var attachment: OpenContentAttachment

    public init(attachment: OpenContentAttachment) {
        self.attachment = attachment
    }
}

/// An attachment, sent by URL.
public struct OpenContentAttachment: Encodable, Sendable, Equatable {
    public var id: String?
    public var mediaType: String
    public var url: String
    public var mime: String
    public var filename: String?
    public var text: String?
    public var sha256: String?

    public init(_ attachment: QueuedMessage.Attachment) {
        id = attachment.id
        mediaType = attachment.mediaType
        url = attachment.url
        mime = attachment.mime
        filename = attachment.filename
        text = attachment.text
        sha256 = attachment.sha256
    }
}
