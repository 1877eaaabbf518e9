import Foundation
import GatewayCore
import AMQPTransport
import Broker
import CurlHTTP
import Logging

/// The no-gateway baseline on the same broker and sandbox: consume `outbound` (same prefetch), read the
/// tenant and id, POST one fixed Open Messaging text (with that id as `channel.messageId`) to the org's
/// integration with a token fetched once per org, ack. No limiter, breaker, plugins, idempotency, status.
/// With the design steps it also takes the gateway's broker steps (``Baseline+DesignFloor.swift``).
final class Baseline: Sendable {
    let settings: BaselineSettings
    let topology: QueueTopology
    let client: AMQPClient
    private let http: CurlHTTPClient

    init(settings: BaselineSettings, logger: Logger) throws {
        self.settings = settings
        topology = try settings.topology()
        http = CurlHTTPClient(maxConnectionsPerHost: settings.connections)
        client = AMQPClient(settings: .init(url: settings.amqpURL, topology: topology, prefetch: settings.prefetch), logger: logger)
    }

    /// The two fields of a queued message the baseline reads.
    struct Envelope: Decodable {
        var id: String
        var tenantId: String
    }

    /// The delivery's message and its tenant's target; nil when it is not a message of a bench tenant.
    func address(of inbound: BrokerDelivery) -> (envelope: Envelope, target: BaselineTarget)? {
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(inbound.delivery.body)),
            let target = settings.targets[envelope.tenantId]
        else { return nil }
        return (envelope, target)
    }

    /// Consumes until cancelled.
    func run() async {
        if settings.steps == .design { subscribeOrgQueues() }
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.client.run() }
                for await inbound in client.deliveries {
                    // Copies are handed over in delivery order, as the gateway's router does.
                    if settings.steps == .design, inbound.queue == topology.outbound {
                        forwardToOrgQueue(inbound)
                    } else {
                        group.addTask { await self.send(inbound) }
                    }
                }
            }
        } onCancel: {
            client.stop()
        }
        await http.shutdown()
    }

    private func send(_ inbound: BrokerDelivery) async {
        guard let (envelope, target) = address(of: inbound) else { client.reject(inbound, requeue: false); return }
        let body = #"{"channel":{"from":{"id":"+15550001","idType":"Phone"},"time":"2026-11-25T10:00:00.000Z","messageId":"\#(envelope.id)"},"text":"baseline"}"#
        let request = HTTPRequest(
            method: "POST", url: target.inboundURL,
            headers: [("Authorization", "Bearer \(target.token)"), ("Content-Type", "application/json")], body: Array(body.utf8))
        if let response = try? await http.execute(request), (200..<300).contains(response.status) {
            if settings.steps == .design { publishStatusEvents(messageID: envelope.id, tenant: envelope.tenantId, org: target.orgName) }
            client.ack(inbound)
        } else {
            client.reject(inbound, requeue: true)
        }
    }
}
