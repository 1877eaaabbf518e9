import GatewayCore
import AMQPTransport
import Broker

/// The design floor: the gateway design's broker steps per message with none of its logic (no limiter,
/// breaker, plugin, idempotency, status store or metrics), on the gateway's own `AMQPClient`, so that what the
/// design costs in the broker and the client can be told apart from what the gateway's logic costs.
///
/// ```
/// outbound ──confirmed copy, then ack──▶ <prefix>.org.<tenant>.<org> ──POST, two status events, ack──▶ sandbox
/// ```
extension Baseline {
    /// Declares and consumes each org's queue as the gateway does (its type, arguments and a single active
    /// consumer), with the gateway's per-org prefetch.
    func subscribeOrgQueues() {
        for (tenant, target) in settings.targets {
            let org = OrgKey(tenantID: tenant, orgName: target.orgName)
            client.subscribe(AMQPSubscription(queue: topology.orgQueueDeclaration(for: org), prefetch: settings.orgPrefetch))
        }
    }

    /// Copies the message to its org's queue (mandatory, confirmed) and acks the original once the copy is
    /// confirmed — `OrgQueueRouter.forward` without the router's checks.
    func forwardToOrgQueue(_ inbound: BrokerDelivery) {
        guard let (envelope, target) = address(of: inbound) else { client.reject(inbound, requeue: false); return }
        let org = OrgKey(tenantID: envelope.tenantId, orgName: target.orgName)
        let copy = AMQPMessage(routingKey: topology.orgQueue(for: org), body: inbound.delivery.body, mandatory: true)
        client.submit(copy).whenAnswered { [client] result in
            switch result {
            case .success: client.ack(inbound)
            case .failure: client.reject(inbound, requeue: true)
            }
        }
    }

    /// The gateway's two status events of a sent message (`accepted`, `sent`), each about 200 bytes, to the
    /// status exchange: handed over before the ack, confirmed, nobody waiting — as `AMQPStatusSink` does.
    func publishStatusEvents(messageID: String, tenant: String, org: String) {
        for status in ["accepted", "sent"] {
            let event = #"{"status":"\#(status)","messageId":"\#(messageID)","tenantId":"\#(tenant)","org":"\#(org)","time":"2026-11-25T10:00:00.000Z","attempt":1,"conversationId":"c0a8f6d2-3e4b-4c1d-9f7a-2b6e8d1c5a90"}"#
            let message = AMQPMessage(
                exchange: topology.statusExchange, routingKey: "\(tenant).\(org).\(status)", body: Array(event.utf8), messageID: messageID)
            _ = client.submit(message)
        }
    }
}
