//
// AdminRoutes.swift — GenesysSandbox
// /sandbox/...: fault injection, token revocation, observations, agent messages. No auth (loopback only).
//

import Foundation
import Hummingbird

/// The admin API, separate from the Genesys paths.
struct AdminRoutes {
    let control: SandboxControl

    func register(on router: Router<SandboxRequestContext>) {
        let admin = router.group("sandbox")
        admin.get("health") { _, _ in Response.json(["status": "ok"]) }
        admin.get("faults") { _, _ in faultsResponse() }
        admin.delete("faults") { _, _ in
            control.clearFaults()
            return faultsResponse()
        }
        for (segment, makeTarget) in [("clients", FaultTarget.client), ("integrations", FaultTarget.integration)] {
            admin.put("faults/\(segment)/:id") { request, context in
                var request = request
                let buffer = try await request.collectBody(upTo: 64 * 1024)
                let settings: FaultSettings
                do {
                    settings = try JSONDecoder().decode(FaultSettings.self, from: Data(buffer: buffer))
                } catch {
                    throw GenesysError.badRequest("Invalid fault settings: \(error)")
                }
                try control.setFaults(settings, for: makeTarget(context.parameters.get("id") ?? ""))
                return faultsResponse()
            }
            admin.delete("faults/\(segment)/:id") { _, context in
                control.clearFaults(for: makeTarget(context.parameters.get("id") ?? ""))
                return faultsResponse()
            }
        }
        admin.post("clients/:clientId/revoke-tokens") { _, context in
            let clientId = context.parameters.get("clientId") ?? ""
            guard control.engine.directory.clients[clientId] != nil else { throw GenesysError.notFound("client") }
            return Response.json(["revoked": .int(control.revokeTokens(clientId: clientId))])
        }
        admin.get("received") { request, _ in
            receivedResponse(control.received(integrationId: request.uri.queryParameters.get("integrationId")))
        }
        admin.get("received/:integrationId") { _, context in
            receivedResponse(control.received(integrationId: context.parameters.get("integrationId")))
        }
        admin.get("stats") { _, _ in Response.json(control.stats().json) }
        admin.get("deliveries") { _, _ in Response.json(["deliveries": .array(control.deliveries().map(\.json))]) }
        admin.post("agent-messages") { request, context in try await agentMessage(request) }
        admin.post("reset") { _, _ in
            control.reset()
            return Response(status: .noContent)
        }
    }

    private func faultsResponse() -> Response {
        let entries = control.engine.faults.snapshot().map { entry -> JSONValue in
            let settings = (try? JSONEncoder().encode(entry.settings)).flatMap { try? JSONValue.parse($0) } ?? .null
            return [
                "target": .string(entry.target.description), "settings": settings,
                "outageRemainingSeconds": .int(entry.outageRemainingSeconds),
                "burst429Remaining": .int(entry.burst429Remaining),
            ]
        }
        return Response.json(["faults": .array(entries)])
    }

    private func receivedResponse(_ messages: [ReceivedMessage]) -> Response {
        Response.json([
            "count": .int(messages.count), "dropped": .int(control.engine.received.droppedCount),
            "messages": .array(messages.map(\.json)),
        ])
    }

    /// `{"conversationId": "...", "text": "..."}`; `?wait=true` answers 200 with the delivery report
    /// after all attempts, otherwise 202 at once.
    private func agentMessage(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.jsonBody(limit: 64 * 1024)
        guard let conversationId = body["conversationId"]?.stringValue, let text = body["text"]?.stringValue else {
            throw GenesysError.invalid([
                ValidationIssue(errorCode: "required", fieldName: "conversationId",
                                message: "conversationId and text are required")
            ])
        }
        guard let conversation = control.engine.conversations.conversation(conversationId) else {
            throw GenesysError.notFound("conversation")
        }
        let wait = request.uri.queryParameters.get("wait") == "true"
        let (message, report) = try await control.engine.sendAgentMessage(in: conversation, text: text, wait: wait)
        var answer: [String: JSONValue] = ["id": .string(message.id), "payload": message.payload]
        if let report { answer["delivery"] = report.json }
        return Response.json(.object(answer), status: wait ? .ok : .accepted)
    }
}
