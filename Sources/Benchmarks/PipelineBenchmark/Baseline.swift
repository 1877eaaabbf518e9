import Foundation
import GatewayHost
import Logging

/// The no-gateway baseline on the same broker and sandbox: consume `outbound` (same prefetch), read the
/// tenant and id, POST one fixed Open Messaging text (with that id as `channel.messageId`) to the org's
/// integration with a token fetched once per org, ack. No limiter, breaker, plugins, idempotency, status.
final class Baseline: Sendable {
    private let client: AMQPClient
    private let http: CurlHTTPClient
    /// tenant → (inbound URL, bearer token)
    private let targets: [String: (url: String, token: String)]

    init(orgs: [BenchOrg], baseURL: String, url: String, topology: QueueTopology, prefetch: UInt16, connections: Int, logger: Logger) async throws {
        http = CurlHTTPClient(maxConnectionsPerHost: connections)
        var targets: [String: (url: String, token: String)] = [:]
        for org in orgs {
            let basic = Data("\(org.clientID):\(org.secret)".utf8).base64EncodedString()
            let response = try await http.execute(HTTPRequest(
                method: "POST", url: baseURL + "/oauth/token",
                headers: [("Authorization", "Basic \(basic)"), ("Content-Type", "application/x-www-form-urlencoded")],
                body: Array("grant_type=client_credentials".utf8)))
            guard response.status == 200,
                let token = try? JSONDecoder().decode(Token.self, from: Data(response.body))
            else { throw BenchError("baseline: token for \(org.tenant) failed: HTTP \(response.status)") }
            targets[org.tenant] = (baseURL + "/api/v2/conversations/messages/\(org.integrationID)/inbound/open/message", token.access_token)
        }
        self.targets = targets
        client = AMQPClient(settings: .init(url: url, topology: topology, prefetch: prefetch), logger: logger)
    }

    private struct Token: Decodable { var access_token: String }
    private struct Envelope: Decodable { var id: String; var tenantId: String }

    /// Consumes until cancelled.
    func run() async {
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.client.run() }
                for await inbound in client.deliveries {
                    group.addTask { await self.handle(inbound) }
                }
            }
        } onCancel: {
            client.stop()
        }
        await http.shutdown()
    }

    private func handle(_ inbound: AMQPClient.Inbound) async {
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(inbound.delivery.body)),
            let target = targets[envelope.tenantId]
        else { client.reject(inbound, requeue: false); return }
        let body = #"{"channel":{"from":{"id":"+15550001","idType":"Phone"},"time":"2026-11-25T10:00:00.000Z","messageId":"\#(envelope.id)"},"text":"baseline"}"#
        let request = HTTPRequest(
            method: "POST", url: target.url,
            headers: [("Authorization", "Bearer \(target.token)"), ("Content-Type", "application/json")], body: Array(body.utf8))
        if let response = try? await http.execute(request), (200..<300).contains(response.status) {
            client.ack(inbound)
        } else {
            client.reject(inbound, requeue: true)
        }
    }
}
