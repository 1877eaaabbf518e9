//
// ConversationRoutes.swift — GenesysSandbox
// Get, create outbound, agentless message, agent message, participant PATCH/replace, disconnect.
//

import Hummingbird

/// The conversation endpoints of `/api/v2/conversations`.
struct ConversationRoutes {
    let engine: SandboxEngine

    func register(on api: RouterGroup<SandboxRequestContext>) {
        api.get("conversations/messages/:id") { _, context in
            Response.json(try conversation(context).json)
        }
        api.post("conversations/messages") { request, context in try await createOutbound(request, context) }
        api.post("conversations/messages/agentless") { request, context in try await agentless(request, context) }
        api.post("conversations/messages/:id/communications/:communicationId/messages") { request, context in
            let body = try await validatedBody(request, model: "AdditionalMessage")
            let (message, _) = try await engine.sendAgentMessage(
                in: try conversation(context), text: body["textBody"]?.stringValue ?? "", wait: false)
            return Response.json(engine.messageData(for: message))
        }
        api.patch("conversations/messages/:id") { _, context in
            let client = try client(context)
            let id = context.parameters.get("id") ?? ""
            try engine.conversations.disconnectAll(in: id, orgId: client.orgId)
            return Response.json(try conversation(context).json)
        }
        api.patch("conversations/messages/:id/participants/:participantId") { request, context in
            try await patchParticipant(request, context)
        }
        api.post("conversations/messages/:id/participants/:participantId/replace") { request, context in
            let body = try await validatedBody(request, model: "TransferRequest")
            let target = TransferTarget(
                userId: body["userId"]?.stringValue, userName: body["userName"]?.stringValue,
                queueId: body["queueId"]?.stringValue, address: body["address"]?.stringValue)
            guard target.userId != nil || target.userName != nil || target.queueId != nil || target.address != nil else {
                throw GenesysError.invalid([
                    ValidationIssue(errorCode: "required", fieldName: "userId",
                                    message: "A transfer needs userId, userName, queueId or address")
                ])
            }
            try engine.conversations.replaceParticipant(
                context.parameters.get("participantId") ?? "", in: context.parameters.get("id") ?? "",
                orgId: try client(context).orgId, with: target)
            return Response(status: .accepted)
        }
        api.post("conversations/:conversationId/disconnect") { _, context in
            let id = context.parameters.get("conversationId") ?? ""
            try engine.conversations.disconnectAll(in: id, orgId: try client(context).orgId)
            return Response.json(.string(id), status: .accepted)
        }
    }

    private func client(_ context: SandboxRequestContext) throws(GenesysError) -> ClientRecord {
        guard let client = context.exchange.info.client else { throw GenesysError.authenticationRequired }
        return client
    }

    private func conversation(_ context: SandboxRequestContext) throws(GenesysError) -> Conversation {
        let id = context.parameters.get("id") ?? ""
        guard let conversation = engine.conversations.conversation(id, orgId: try client(context).orgId) else {
            throw GenesysError.notFound("conversation")
        }
        return conversation
    }

    private func validatedBody(_ request: Request, model: String, extra: (JSONValue) -> [ValidationIssue] = { _ in [] })
        async throws -> JSONValue
    {
        var request = request
        let body = try await request.jsonBody(limit: engine.configuration.maxBodyBytes)
        var issues = engine.validator.validate(body, model: model)
        issues += extra(body)
        guard issues.isEmpty else { throw GenesysError.invalid(issues) }
        return body
    }

    private func createOutbound(_ request: Request, _ context: SandboxRequestContext) async throws -> Response {
        let client = try client(context)
        let body = try await validatedBody(request, model: "CreateOutboundMessagingConversationRequest")
        let integration = engine.directory.integrations.values.filter { $0.orgId == client.orgId }
            .min { $0.id < $1.id }
        let conversation = engine.conversations.createOutbound(
            orgId: client.orgId, toAddress: body["toAddress"]?.stringValue ?? "",
            queueId: body["queueId"]?.stringValue ?? "", integration: integration)
        return Response.json(["id": .string(conversation.id), "selfUri": .string(conversation.selfUri)])
    }

    private func agentless(_ request: Request, _ context: SandboxRequestContext) async throws -> Response {
        let client = try client(context)
        let body = try await validatedBody(
            request, model: "SendAgentlessOutboundMessageRequest", extra: OpenMessagingRules.agentlessMessage)
        let fromAddress = body["fromAddress"]?.stringValue ?? ""
        guard let integration = engine.directory.integration(fromAddress, visibleTo: client.orgId) else {
            throw GenesysError.notFound("integration")
        }
        let toAddress = body["toAddress"]?.stringValue ?? ""
        let conversationId = engine.conversations.conversationForCustomer(toAddress, name: nil, on: integration)
        guard let conversation = engine.conversations.conversation(conversationId, orgId: client.orgId) else {
            throw GenesysError.notFound("conversation")
        }
        let text = body["textBody"]?.stringValue ?? ""
        let (message, _) = try await engine.sendAgentMessage(in: conversation, text: text, wait: false)
        return Response.json([
            "id": .string(message.id),
            "conversationId": .string(conversationId),
            "fromAddress": .string(integration.id),
            "toAddress": .string(toAddress),
            "messengerType": "open",
            "textBody": .string(text),
            "timestamp": .string(DateTimeFormat.string(from: message.time)),
            "selfUri": .string("/api/v2/conversations/messages/agentless/\(message.id)"),
            "message": engine.messageData(for: message),
        ])
    }

    private func patchParticipant(_ request: Request, _ context: SandboxRequestContext) async throws -> Response {
        let client = try client(context)
        let body = try await validatedBody(request, model: "MediaParticipantRequest")
        let conversationId = context.parameters.get("id") ?? ""
        let participantId = context.parameters.get("participantId") ?? ""
        switch body["state"]?.stringValue {
        case "disconnected":
            try engine.conversations.disconnectParticipant(participantId, in: conversationId, orgId: client.orgId)
        case nil:
            guard let conversation = engine.conversations.conversation(conversationId, orgId: client.orgId),
                conversation.participants.contains(where: { $0.id == participantId })
            else { throw GenesysError.notFound("participant") }
        case let state?:
            throw GenesysError.invalid([
                ValidationIssue(errorCode: "invalid.value", fieldName: "state",
                                message: "The sandbox can only set state disconnected, not \(state)")
            ])
        }
        return Response(status: .accepted)
    }
}
