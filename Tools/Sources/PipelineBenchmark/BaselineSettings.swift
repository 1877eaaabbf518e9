import Foundation
import GatewayCore
import AMQPTransport
import Broker
import CurlHTTP

/// Which broker steps the baseline takes per message.
enum BaselineSteps: String, Codable, Sendable, CaseIterable {
    /// Consume `outbound`, POST, ack: the floor of any gateway on these libraries.
    case minimal
    /// The gateway design's broker steps without its logic: `outbound` → confirmed copy to the org's queue →
    /// ack; org queue → POST → two status events (confirmed, not awaited) → ack.
    case design

    /// Parses `minimal`, `design` or a comma list of them (`minimal,design`), run in that order.
    static func list(_ argument: String) throws -> [BaselineSteps] {
        try argument.split(separator: ",").map { name in
            guard let steps = BaselineSteps(rawValue: String(name)) else {
                throw BenchError("--baseline-steps: '\(name)' is neither minimal nor design")
            }
            return steps
        }
    }
}

/// Where the baseline POSTs one tenant's messages.
struct BaselineTarget: Codable, Sendable {
    /// The tenant's one org (its queue's name in the design steps).
    var orgName: String
    var inboundURL: String
    var token: String

    /// Each org's target, with a token fetched once per org (before anything is measured).
    static func fetch(for orgs: [BenchOrg], baseURL: String) async throws -> [String: BaselineTarget] {
        let http = CurlHTTPClient()
        do {
            var targets: [String: BaselineTarget] = [:]
            for org in orgs { targets[org.tenant] = try await fetch(for: org, baseURL: baseURL, http: http) }
            await http.shutdown()
            return targets
        } catch {
            await http.shutdown()
            throw error
        }
    }

    private static func fetch(for org: BenchOrg, baseURL: String, http: CurlHTTPClient) async throws -> BaselineTarget {
        let basic = Data("\(org.clientID):\(org.secret)".utf8).base64EncodedString()
        let response = try await http.execute(HTTPRequest(
            method: "POST", url: baseURL + "/oauth/token",
            headers: [("Authorization", "Basic \(basic)"), ("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("grant_type=client_credentials".utf8)))
        guard response.status == 200,
            let token = try? JSONDecoder().decode(Token.self, from: Data(response.body))
        else { throw BenchError("baseline: token for \(org.tenant) failed: HTTP \(response.status)") }
        // A bench org is a tenant with the one org `main` (SandboxTenant).
        return BaselineTarget(
            orgName: "main", inboundURL: baseURL + "/api/v2/conversations/messages/\(org.integrationID)/inbound/open/message",
            token: token.access_token)
    }

    private struct Token: Decodable { var access_token: String }
}

/// Everything the baseline needs, in-process or handed to its own process as a JSON file.
struct BaselineSettings: Codable, Sendable {
    var amqpURL: String
    /// The run's queue names: `QueueTopology(prefix:)`.
    var queuePrefix: String
    /// `QueueTopology.QueueType` of the org queues (design steps).
    var orgQueueType: String
    /// Prefetch of `outbound`.
    var prefetch: UInt16
    /// Prefetch of each org queue (design steps): the gateway's per-org in-flight cap, which is its prefetch
    /// for an org without a limit worth the name.
    var orgPrefetch: UInt16
    /// libcurl connections per host.
    var connections: Int
    var steps: BaselineSteps
    /// tenant → target
    var targets: [String: BaselineTarget]
    /// The benchmark process that started the baseline process: once it is gone, the baseline process exits.
    var parentPID: Int32

    func topology() throws -> QueueTopology {
        guard let type = QueueTopology.QueueType(rawValue: orgQueueType) else {
            throw BenchError("baseline: org queue type '\(orgQueueType)' is neither quorum nor classic")
        }
        var topology = QueueTopology(prefix: queuePrefix)
        topology.orgQueueType = type
        return topology
    }
}
