import PluginKit

/// Genesys' OpenInboundStructuredResponseMessage (`open_messaging_models.json`): the body of
/// `.../inbound/open/structured/response`. The model has no `type`, `text` or `metadata` of its own: the answer
/// travels in `buttonResponse`, and `originatingMessageId` sits beside it, not inside.
struct OpenInboundStructuredResponseMessage: Encodable {
    var channel: OpenInboundMessageMessagingChannel
    var buttonResponse: ContentButtonResponse
    /// Genesys' id of the agent message answered.
    var originatingMessageId: String

    /// ContentButtonResponse: `type`, `text` and `payload` required, `id` optional.
    struct ContentButtonResponse: Encodable {
        var id: String?
        var type: String
        var text: String
        var payload: String
    }
}
