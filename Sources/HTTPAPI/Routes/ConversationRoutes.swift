import Foundation
import GatewayConfig
import GatewayCore
import GatewayDelivery
import Hummingbird
import Logging
import OrgServices
import PluginKit

/// Conversations: create, get, add (transfer) a participant, close. Each calls the org's Genesys through
/// the delivery core, so API traffic shares the org's token, rate limiter and circuit breaker with queued
/// messages.
struct ConversationRoutes {
    let services: APIServices
    let messages: MessageRoutes

    func register(on router: RouterGroup<APIRequestContext>) {
        router.post("conversations") { request, context in try await create(request, context) }
        router.get("conversations/:id") { request, context in try await get(request, context) }
        router.post("conversations/:id/participants") { request, context in try await addParticipant(request, context) }
        router.post("conversations/:id/close") { request, context in try await close(request, context) }
    }

    /// `kind`: `open` (the customer's first message, through the message plugins), `outbound` (an agent starts
    /// it on a queue) or `agentless` (a text straight to the customer).
    struct CreateRequest: Decodable {
        enum Kind: String, Decodable { case open, outbound, agentless }
        var kind: Kind
        var org: String?
        var queueId: String?
        var toAddress: String?
        var toAddressMessengerType: String?
        var useExistingConversation: Bool?
        var text: String?
    }

    struct Created: Encodable {
        var conversationId: String
        var tenantId: String
        var org: String
        var kind: String
        var messageId: String?
        var genesysMessageId: String?
        var correlationId: String?
    }

    func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let body = try await RequestBody.bytes(request)
        let create = try RequestBody.decode(CreateRequest.self, from: body)
        let (_, org) = try context.org(for: request, named: create.org)
        let genesysRequest: PluginRequest
        switch create.kind {
        case .open:
            return try await createOpen(create, body: body, request: request, context: context, tenant: tenant)
        case .outbound:
            genesysRequest = ConversationRequests.createOutbound(
                queueID: try required(create.queueId, "queueId"), toAddress: try required(create.toAddress, "toAddress"),
                messengerType: create.toAddressMessengerType ?? "open", useExistingConversation: create.useExistingConversation)
        case .agentless:
            let text = try required(create.text, "text")
            guard text.count <= ConversationRequests.maxAgentlessText else {
                throw APIError.invalidBody("text is \(text.count) characters; Genesys takes at most \(ConversationRequests.maxAgentlessText)", field: "text")
            }
            genesysRequest = ConversationRequests.agentless(
                integrationID: org.config.integrationID, toAddress: try required(create.toAddress, "toAddress"), text: text)
        }
        let response = try await call(genesysRequest, org: org, operation: "conversation.create", context)
        let answer = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        guard let conversation = (answer?["conversationId"] ?? answer?["id"]) as? String else {
            throw APIError.unavailable("Genesys' answer names no conversation", org: org.key, retryAfter: nil)
        }
        await services.conversations.record(conversation, owner: org.key)
        return try Response.json(
            Created(conversationId: conversation, tenantId: org.key.tenantID, org: org.key.orgName, kind: create.kind.rawValue,
                    genesysMessageId: (answer?["messageId"] ?? answer?["id"]).flatMap { $0 as? String }.flatMap { $0 == conversation ? nil : $0 },
                    correlationId: response.correlationID),
            status: .created)
    }

    /// The Genesys endpoint of an inbound message, the only kind that opens a conversation.
    static let openingEndpoint = "/inbound/open/message"

    /// Genesys opens an Open Messaging conversation with the customer's first message: sent now, through the
    /// message plugins, with the conversation id prefetched.
    private func createOpen(
        _ create: CreateRequest, body: [UInt8], request: Request, context: APIRequestContext, tenant: TenantRuntime
    ) async throws -> Response {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            var first = object["message"] as? [String: Any]
        else {
            throw APIError.invalidBody("an open conversation starts with the customer's first 'message' (the message contract)", field: "message")
        }
        if let org = create.org, first["org"] == nil { first["org"] = org }
        let checked = try messages.check(
            Array(try JSONSerialization.data(withJSONObject: first)), request: request, context: context, tenant: tenant)
        // Genesys opens a conversation only for an inbound message; an event or a receipt belongs to a conversation
        // that exists. Refused before anything is sent, rather than sent and answered 502 for want of a conversation.
        guard checked.genesysRequest.path.contains(Self.openingEndpoint) else {
            throw APIError.invalidBody(
                "an open conversation starts with a customer's message (text or media), not a '\(checked.message.type)'",
                field: "message.type")
        }
        let receipt = try await messages.deliver(checked, context)
        guard let conversation = receipt.conversationID else {
            throw APIError.unavailable("Genesys accepted the message but named no conversation", org: receipt.org, retryAfter: nil)
        }
        await services.conversations.record(conversation, owner: receipt.org)
        return try Response.json(
            Created(conversationId: conversation, tenantId: receipt.org.tenantID, org: receipt.org.orgName, kind: "open",
                    messageId: receipt.messageID, genesysMessageId: receipt.genesysMessageID, correlationId: receipt.correlationID),
            status: .created)
    }

    func get(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let (org, id) = try await conversation(request, context)
        let response = try await call(ConversationRequests.get(id), org: org, operation: "conversation.get", context)
        return Response.rawJSON(Self.wrap(response.body, org: org.key, conversationID: id))
    }

    struct ParticipantRequest: Decodable {
        /// The participant whose side is handed over (usually the agent's or the ACD's).
        var participantId: String
        var userId: String?
        var userName: String?
        var queueId: String?
        var address: String?
    }

    func addParticipant(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let (org, id) = try await conversation(request, context)
        let body = try await RequestBody.decode(ParticipantRequest.self, from: request)
        let transfer = ParticipantTransfer(userId: body.userId, userName: body.userName, queueId: body.queueId, address: body.address)
        guard transfer.targetCount == 1 else {
            throw APIError.invalidBody(
                "name exactly one of userId, userName, queueId, address (\(transfer.targetCount) given)", field: nil)
        }
        let response = try await call(
            ConversationRequests.replaceParticipant(id, participantID: body.participantId, transfer: transfer), org: org,
            operation: "conversation.participant", context)
        return try Response.json(
            ["conversationId": id, "participantId": body.participantId, "status": "transferring", "correlationId": response.correlationID ?? ""],
            status: .accepted)
    }

    func close(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let (org, id) = try await conversation(request, context)
        let response = try await call(ConversationRequests.close(id), org: org, operation: "conversation.close", context)
        return Response.rawJSON(Self.wrap(response.body, org: org.key, conversationID: id))
    }

    /// The org to ask about the conversation in the path. A conversation the gateway knows belongs to another
    /// tenant is answered 404 without asking Genesys; Genesys itself only shows an org its own conversations.
    private func conversation(_ request: Request, _ context: APIRequestContext) async throws -> (OrgRuntime, String) {
        let id = context.pathSegment("id")
        let tenant = try context.requireTenant()
        let owner = await services.conversations.owner(of: id)
        if let owner, owner.tenantID != tenant.config.id {
            context.logger.notice("conversation of another tenant asked for", metadata: ["conversation.id": "\(id)"])
            throw APIError.notFound("conversation '\(id)'", tenant: tenant.config.id)
        }
        let explicit = request.uri.queryParameters.get("org") ?? owner?.orgName
        let (_, org) = try context.org(for: request, named: explicit)
        if owner == nil, services.registry.sharesGenesysOrg(org) {
            // Genesys cannot tell these tenants apart: only a conversation the gateway saw for this one is shown.
            throw APIError.notFound("conversation '\(id)'", tenant: tenant.config.id)
        }
        return (org, id)
    }

    private func call(_ genesysRequest: PluginRequest, org: OrgRuntime, operation: String, _ context: APIRequestContext) async throws -> GatewayCore.HTTPResponse {
        let result = await services.delivery.call(
            genesysRequest, org: org, operation: operation, maxLimiterWait: services.maxLimiterWait, correlation: context.requestID)
        return try result.response(org: org.key)
    }

    private func required(_ value: String?, _ field: String) throws -> String {
        guard let value, !value.isEmpty else { throw APIError.invalidBody("required field '\(field)' is missing", field: field) }
        return value
    }

    /// `{"tenantId", "org", "conversationId", "conversation": <Genesys' MessageConversation as it came>}`.
    static func wrap(_ genesys: [UInt8], org: OrgKey, conversationID: String) -> [UInt8] {
        // A dictionary of strings always encodes.
        let head = (try? JSONEncoder.api.encode(["conversationId": conversationID, "org": org.orgName, "tenantId": org.tenantID])) ?? Data("{}".utf8)
        let conversation = genesys.isEmpty ? Array("null".utf8) : genesys
        return Array(head.dropLast()) + Array(#","conversation":"#.utf8) + conversation + Array("}".utf8)
    }
}
