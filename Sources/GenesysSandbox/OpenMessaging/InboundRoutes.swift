//
// InboundRoutes.swift — GenesysSandbox
// POST /api/v2/conversations/messages/{integrationId}/inbound/open/{message|event|receipt|structured/response}.
//

import Hummingbird

/// Customer → agent: validates the body against its model, keeps one conversation per
/// (integration, customer), records the call, and answers with the response model.
struct InboundRoutes {
    let engine: SandboxEngine

    func register(on api: RouterGroup<SandboxRequestContext>) {
        for endpoint in InboundEndpoint.allCases {
            api.post(RouterPath("conversations/messages/:id/inbound/open/\(endpoint.pathSuffix)")) {
                request, context in
                try await accept(endpoint, request: request, context: context)
            }
        }
    }

    private func accept(_ endpoint: InboundEndpoint, request: Request, context: SandboxRequestContext) async throws -> Response {
        guard let client = context.exchange.info.client else { throw GenesysError.authenticationRequired }
        let integrationId = context.parameters.get("id") ?? ""
        guard let integration = engine.directory.integration(integrationId, visibleTo: client.orgId) else {
            throw GenesysError.notFound("integration")
        }
        var request = request
        let body = try await request.jsonBody(limit: engine.configuration.maxBodyBytes)
        var issues = engine.validator.validate(body, model: endpoint.bodyModel)
        issues += endpoint.extraIssues(body)
        guard issues.isEmpty else { throw GenesysError.invalid(issues) }

        let channel = body["channel"] ?? .object([:])
        let from = channel["from"]
        let customerId = (endpoint == .receipt ? channel["to"]?["id"] : from?["id"])?.stringValue ?? ""
        if let failure = engine.faults.failure(forCustomer: customerId, integration: integration.id) {
            engine.stats.recordInjected(failure.mark)
            throw failure.error
        }
        let conversationId = engine.conversations.conversationForCustomer(
            customerId, name: from?["nickname"]?.stringValue, on: integration)
        let id = endpoint == .receipt ? (body["id"]?.stringValue ?? "") : Self.newMessageId()
        let prefetch = request.uri.queryParameters.get("prefetchConversationId") == "true"
        engine.received.append { sequence in
            ReceivedMessage(
                sequence: sequence, kind: endpoint.kind, integrationId: integration.id, id: id,
                channelMessageId: channel["messageId"]?.stringValue, customerId: customerId,
                conversationId: conversationId,
                text: Self.recordedText(of: body, endpoint: endpoint),
                clientId: client.id, receivedAt: engine.clock.now())
        }
        let response = InboundResponseBuilder.response(
            for: endpoint, body: body, integrationId: integration.id, id: id,
            conversationId: endpoint == .message && prefetch ? conversationId : nil)
        return Response.json(response)
    }

    /// What `/sandbox/received` shows as `text`: a receipt's status, the label a structured response chose, else
    /// the message text — so a test can tell which answer arrived without the whole body.
    static func recordedText(of body: JSONValue, endpoint: InboundEndpoint) -> String? {
        switch endpoint {
        case .receipt: return body["status"]?.stringValue
        case .structuredResponse: return body["buttonResponse"]?["text"]?.stringValue
        case .message, .event: return body["text"]?.stringValue
        }
    }

    /// Genesys message ids are 32 hex characters.
    static func newMessageId() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
