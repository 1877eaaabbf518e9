/// The body Genesys POSTs to an integration's webhook: OpenMessageNormalizedMessage (or the receipt / event
/// variants) with `direction: "Outbound"`. Only what the gateway reads is declared; unknown fields are ignored
/// so a new Genesys field never fails a chat.
struct GenesysOutboundMessage: Decodable {
    var id: String
    var type: String
    var direction: String?
    var conversationId: String?
    var channel: Channel
    var text: String?
    var content: [ContentEntry]?
    var events: [PassThroughJSON]?
    var status: String?
    var reasons: [InboundAgentMessage.Reason]?
    var isFinalReceipt: Bool?
    var metadata: [String: String]?

    struct Channel: Decodable {
        /// The integration id.
        var id: String?
        var to: Recipient
        var from: Recipient?
        var time: String
    }

    struct Recipient: Decodable {
        var id: String
        var idType: String?
        var nickname: String?
        var firstName: String?
        var lastName: String?
        var image: String?
    }

    /// One `content[]` entry: an attachment is read, anything else is kept as Genesys sent it.
    struct ContentEntry: Decodable {
        var contentType: String
        var attachment: InboundAgentMessage.Attachment?
        var raw: PassThroughJSON

        private enum Keys: String, CodingKey { case contentType, attachment }

        init(from decoder: any Decoder) throws {
            let keyed = try decoder.container(keyedBy: Keys.self)
            contentType = try keyed.decode(String.self, forKey: .contentType)
            attachment = contentType == "Attachment" ? try keyed.decode(InboundAgentMessage.Attachment.self, forKey: .attachment) : nil
            raw = try PassThroughJSON(from: decoder)
        }
    }
}
