//
// InboundEndpoint.swift — GenesysSandbox
// The four Open Messaging inbound endpoints: path, body model, extra rules.
//

/// One of `/api/v2/conversations/messages/{integrationId}/inbound/open/{message|event|receipt|structured/response}`.
enum InboundEndpoint: CaseIterable, Sendable {
    case message, event, receipt, structuredResponse

    /// Path below `/api/v2/conversations/messages/{integrationId}/inbound/open/`.
    var pathSuffix: String {
        switch self {
        case .message: return "message"
        case .event: return "event"
        case .receipt: return "receipt"
        case .structuredResponse: return "structured/response"
        }
    }

    /// The request body's model definition.
    var bodyModel: String {
        switch self {
        case .message: return "OpenInboundNormalizedMessage"
        case .event: return "OpenInboundNormalizedEvent"
        case .receipt: return "OpenInboundNormalizedReceipt"
        case .structuredResponse: return "OpenInboundStructuredResponseMessage"
        }
    }

    /// The response body's model definition.
    var responseModel: String {
        switch self {
        case .message: return "OpenMessageNormalizedMessage"
        case .event: return "OpenEventNormalizedMessage"
        case .receipt: return "OpenReceiptNormalizedMessage"
        case .structuredResponse: return "OpenStructuredResponseNormalizedMessage"
        }
    }

    var kind: ReceivedMessage.Kind {
        switch self {
        case .message: return .message
        case .event: return .event
        case .receipt: return .receipt
        case .structuredResponse: return .structuredResponse
        }
    }

    /// Rules the schema cannot express.
    func extraIssues(_ body: JSONValue) -> [ValidationIssue] {
        switch self {
        case .message: return OpenMessagingRules.inboundMessage(body)
        case .receipt: return OpenMessagingRules.inboundReceipt(body)
        case .event, .structuredResponse: return []
        }
    }
}
