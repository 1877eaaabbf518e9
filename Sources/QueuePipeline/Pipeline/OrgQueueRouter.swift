import Broker
import Foundation
import GatewayConfig
import GatewayCore
import Logging
import OrgServices
import PluginKit

/// Moves each message from the ingress queue (`genesys.outbound`, where the platform publishes) into its
/// org's own queue, and nothing more: it never waits for an org's rate, circuit or Genesys.
///
/// A message is acked on the ingress queue only once the broker confirmed its copy in the org queue (a
/// mandatory publish: a copy that reaches no queue fails). Copies are handed to the connection in delivery
/// order, so a conversation's messages keep their order in the org queue. A message that names no
/// configured org, or a disabled tenant, is settled here at once (dead-lettered or parked).
struct OrgQueueRouter: Sendable {
    let client: any MessageBroker
    let registry: TenantRegistry
    let topology: QueueTopology
    let subscriptions: OrgQueueSubscriptions
    /// Where a refused copy's pause before the requeue runs.
    let jobs: MessageJobs
    let clock: any MonotonicClock
    let logger: Logger

    /// Where one ingress message goes.
    enum Route {
        /// To this org's queue.
        case org(OrgKey)
        /// Settled here (dead-lettered or parked): no configured org will take it. The message, if it decodes.
        case settleHere(QueuedMessage?)
    }

    /// How long a message whose copy failed stays unacked before it goes back to the ingress queue, so a
    /// broker that keeps refusing is not asked in a tight loop.
    static let requeuePause = Duration.seconds(1)

    /// The org a message belongs to, from its body (or its tenant header) and the tenants in force.
    ///
    /// Only `tenantId` and `org` are read: whether the rest of the message is valid is for its org's side to
    /// find out, so an invalid message costs its own org alone. A message from a publisher its tenant does not take
    /// is settled here (dead-lettered, naming the publisher), so it never reaches the org's queue.
    func route(_ delivery: AMQPDelivery) -> Route {
        let address = Self.address(delivery.body)
        guard let tenantID = address?.tenantId ?? delivery.headers[QueueHeaders.tenant]?.stringValue,
            let tenant = registry.tenant(tenantID), tenant.config.enabled, let org = tenant.org(named: address?.org),
            tenant.config.publisherRefusal(userID: delivery.userID, gatewayUser: client.userID) == nil
        else { return .settleHere(try? QueuedMessage.decode(delivery.body).get()) }
        return .org(org.key)
    }

    /// The two fields of a queued message that say where it goes.
    private struct Address {
        var tenantId: String?
        var org: String?
    }

    /// The message's address; nil when the body is not a JSON object or either field is not a string.
    private static func address(_ body: [UInt8]) -> Address? {
        do {
            let fields = try JSONFields(document: JSONReader.read(body))
            return Address(tenantId: try fields.optionalString("tenantId"), org: try fields.optionalString("org"))
        } catch {
            return nil
        }
    }

    /// Hands the message's copy to its org queue now (in order) and acks the original once it is confirmed.
    func forward(_ inbound: BrokerDelivery, to org: OrgKey) {
        subscriptions.ensure(org)
        let delivery = inbound.delivery
        let copy = AMQPMessage(
            routingKey: topology.orgQueue(for: org), body: delivery.body,
            headers: delivery.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, messageID: delivery.messageID,
            mandatory: true)
        client.submit(copy).whenAnswered { [client, clock, jobs, logger] result in
            switch result {
            case .success:
                client.ack(inbound)
            case .failure(let error):
                logger.error(
                    "could not move a message to its org queue; it goes back to the ingress queue",
                    metadata: ["tenant.id": "\(org.tenantID)", "org.name": "\(org.orgName)", "error": "\(error)"])
                jobs.spawn {
                    try? await clock.sleep(for: Self.requeuePause)
                    client.reject(inbound, requeue: true)
                }
            }
        }
    }
}
