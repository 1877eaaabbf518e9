import Foundation
import GatewayTestSupport
import Synchronization
@testable import GatewayCore

/// Genesys Cloud as far as the routes need it, behind a ``ScriptedHTTPClient``: OAuth, the Open Messaging inbound
/// endpoints, and message conversations (create outbound or agentless, get, transfer, close), answered in the shapes
/// the sandbox answers (`ININ-Correlation-Id` on every answer, ErrorBody with `code` and `contextId` on errors).
///
/// Each org has a host of its own (``TestOrg/baseURL``), so a conversation is visible only to the org that has it,
/// as Genesys shows an org only its own. Nothing here sleeps: a test that needs a call to stay out holds the
/// integration at a ``Gate`` (``hold(integrationID:)``).
final class ScriptedGenesys: Sendable {
    /// One message an inbound endpoint took (the sandbox's `ReceivedMessage`).
    struct Received: Sendable {
        /// `message`, `event`, `receipt`, ...: the endpoint's last path segment.
        var kind: String
        var integrationID: String
        /// The id Genesys answered with.
        var id: String
        /// `channel.messageId` as sent: our message id.
        var channelMessageId: String?
        var customerID: String?
        var conversationID: String?
        var body: [UInt8]
    }

    struct Participant: Sendable {
        var id: String
        var purpose: String
        var state: String
    }

    struct Conversation: Sendable {
        var host: String
        var participants: [Participant]
    }

    private struct State {
        var received: [Received] = []
        var conversations: [String: Conversation] = [:]
        /// A customer's open conversation, by host, integration and customer.
        var byCustomer: [String: String] = [:]
        var holds: [String: Gate] = [:]
    }

    private let state = Mutex(State())

    /// What the inbound endpoints took, in order; only `integrationID`'s when given.
    func received(integrationID: String? = nil) -> [Received] {
        state.withLock { state in state.received.filter { integrationID == nil || $0.integrationID == integrationID } }
    }

    func conversation(_ id: String) -> Conversation? {
        state.withLock { $0.conversations[id] }
    }

    /// Inbound messages for `integrationID` wait at the returned gate until the test opens it.
    func hold(integrationID: String) -> Gate {
        let gate = Gate()
        state.withLock { $0.holds[integrationID] = gate }
        return gate
    }

    /// The answer to one request from the gateway.
    func answer(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let url = URLComponents(string: request.url), let host = url.host else { return Self.error(404, "not.found", "no such host") }
        let segments = url.percentEncodedPath.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        func match(_ method: String, _ pattern: String) -> [String]? {
            Self.match(request.method, segments, method, pattern)
        }
        if match("POST", "oauth/token") != nil {
            return Self.json(200, ["access_token": "token-\(host)", "token_type": "bearer", "expires_in": 86400])
        }
        if let found = match("POST", "api/v2/conversations/messages/*/inbound/open/*") {
            let (integration, kind) = (found[0], found[1])
            let gate = state.withLock { $0.holds[integration] }
            if let gate { await gate.wait() }
            return inbound(request, host: host, integration: integration, kind: kind, prefetch: url.query?.contains("prefetchConversationId=true") == true)
        }
        if match("POST", "api/v2/conversations/messages/agentless") != nil {
            let body = Self.object(request.body)
            let customer = body["toAddress"] as? String ?? ""
            let integration = body["fromAddress"] as? String ?? ""
            let conversation = state.withLock { Self.conversation(for: customer, host: host, integration: integration, in: &$0) }
            return Self.json(200, ["id": UUID().uuidString.lowercased(), "conversationId": conversation, "toAddress": customer, "messengerType": "open"])
        }
        if match("POST", "api/v2/conversations/messages") != nil {
            let customer = Self.object(request.body)["toAddress"] as? String ?? ""
            let id = state.withLock { Self.open(host: host, customer: customer, in: &$0) }
            return Self.json(200, ["id": id, "selfUri": "/api/v2/conversations/messages/\(id)"])
        }
        if let found = match("GET", "api/v2/conversations/messages/*") {
            return state.withLock { state in
                guard let conversation = state.conversations[found[0]], conversation.host == host else { return Self.notFound("conversation") }
                return Self.json(200, Self.json(of: conversation, id: found[0]))
            }
        }
        if let found = match("PATCH", "api/v2/conversations/messages/*") {
            return state.withLock { state in
                guard var conversation = state.conversations[found[0]], conversation.host == host else { return Self.notFound("conversation") }
                for index in conversation.participants.indices { conversation.participants[index].state = "disconnected" }
                state.conversations[found[0]] = conversation
                return Self.json(200, Self.json(of: conversation, id: found[0]))
            }
        }
        if let found = match("POST", "api/v2/conversations/messages/*/participants/*/replace") {
            return state.withLock { state in
                guard let conversation = state.conversations[found[0]], conversation.host == host,
                    conversation.participants.contains(where: { $0.id == found[1] })
                else { return Self.notFound("participant") }
                return HTTPResponse(status: 202, headers: ["inin-correlation-id": UUID().uuidString.lowercased()])
            }
        }
        return Self.notFound("resource")
    }

    /// The `*` segments of `pattern` when the request's method and path segments match it; nil otherwise.
    private static func match(_ method: String, _ segments: [String], _ wanted: String, _ pattern: String) -> [String]? {
        let parts = pattern.split(separator: "/").map(String.init)
        guard method == wanted, parts.count == segments.count else { return nil }
        var captured: [String] = []
        for (part, segment) in zip(parts, segments) {
            if part == "*" { captured.append(segment) } else if part != segment { return nil }
        }
        return captured
    }

    private func inbound(_ request: HTTPRequest, host: String, integration: String, kind: String, prefetch: Bool) -> HTTPResponse {
        let body = Self.object(request.body)
        let channel = body["channel"] as? [String: Any] ?? [:]
        let customer = ((kind == "receipt" ? channel["to"] : channel["from"]) as? [String: Any])?["id"] as? String
        let id = UUID().uuidString.lowercased()
        let conversation = state.withLock { state -> String? in
            let conversation = customer.map { Self.conversation(for: $0, host: host, integration: integration, in: &state) }
            state.received.append(Received(
                kind: kind, integrationID: integration, id: id, channelMessageId: channel["messageId"] as? String, customerID: customer,
                conversationID: conversation, body: request.body))
            return conversation
        }
        var answer: [String: Any] = ["id": id, "type": kind == "message" ? "Text" : kind.capitalized]
        if prefetch, let conversation { answer["conversationId"] = conversation }
        return Self.json(200, answer)
    }

    /// The customer's open conversation on this host and integration, opened (customer and agent connected) if none.
    private static func conversation(for customer: String, host: String, integration: String, in state: inout State) -> String {
        let key = "\(host)|\(integration)|\(customer)"
        if let id = state.byCustomer[key], state.conversations[id]?.participants.contains(where: { $0.state == "connected" }) == true {
            return id
        }
        let id = open(host: host, customer: customer, in: &state)
        state.byCustomer[key] = id
        return id
    }

    private static func open(host: String, customer: String, in state: inout State) -> String {
        let id = UUID().uuidString.lowercased()
        state.conversations[id] = Conversation(host: host, participants: [
            Participant(id: UUID().uuidString.lowercased(), purpose: "customer", state: "connected"),
            Participant(id: UUID().uuidString.lowercased(), purpose: "agent", state: "connected"),
        ])
        return id
    }

    private static func json(of conversation: Conversation, id: String) -> [String: Any] {
        [
            "id": id,
            "participants": conversation.participants.map { ["id": $0.id, "purpose": $0.purpose, "state": $0.state] },
        ]
    }

    private static func object(_ body: [UInt8]) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    private static func json(_ status: Int, _ object: [String: Any]) -> HTTPResponse {
        let body = (try? JSONSerialization.data(withJSONObject: object)).map(Array.init) ?? []
        return HTTPResponse(
            status: status, headers: ["content-type": "application/json", "inin-correlation-id": UUID().uuidString.lowercased()], body: body)
    }

    /// Genesys' ErrorBody, with `contextId` = the correlation id.
    private static func error(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
        let correlation = UUID().uuidString.lowercased()
        var answer = json(status, ["message": message, "code": code, "status": status, "contextId": correlation, "details": [], "errors": []])
        answer.headers["inin-correlation-id"] = correlation
        return answer
    }

    private static func notFound(_ what: String) -> HTTPResponse {
        error(404, "not.found", "The requested \(what) was not found.")
    }
}
