public import GatewayCore
/// The queues and exchanges the gateway declares at start (idempotently) and uses.
public struct QueueTopology: Sendable, Equatable {
    public enum QueueType: String, Sendable {
        case quorum, classic
    }

    /// Where messages to Genesys arrive when their publisher does not say which org they are for; the router
    /// moves each into its org's queue.
    public var outbound = "genesys.outbound"
    /// Where a publisher that knows a message's tenant and org publishes it (topic, routing key
    /// ``directRoutingKey(for:)``, or the tenant id alone for its default org): every consumed org queue is bound
    /// with its keys, so the message goes straight into its org's queue and crosses the broker once. A key no
    /// queue is bound with (a tenant the gateway does not know yet, an org nobody consumes) goes on through the
    /// alternate exchange ``unroutedExchange`` to ``outbound``, where the router takes it as before.
    public var orgExchange = "genesys.outbound.orgs"
    /// The org exchange's alternate exchange (fanout), bound to ``outbound``.
    public var unroutedExchange = "genesys.outbound.unrouted"
    public var outboundType: QueueType = .quorum
    /// Deliveries of one message before the broker itself dead-letters it (quorum only): the guard against a
    /// message that crashes the gateway over and over.
    public var deliveryLimit = 20
    /// Where the broker dead-letters (fanout) and the gateway publishes what can never succeed.
    public var deadLetterExchange = "genesys.outbound.dlx"
    public var deadLetterQueue = "genesys.outbound.dlq"
    /// Messages of a disabled tenant or message type: kept, replayable.
    public var parkedQueue = "genesys.outbound.parked"
    /// Status events, routing key `<tenant>.<org>.<status>`.
    public var statusExchange = "genesys.status"
    /// Agent messages from Genesys' webhook for the channel side (durable topic), routing key `<tenant>.<org>.<kind>`.
    public var inboundExchange = "genesys.inbound"
    /// Each org's own queue is this plus `<tenant>.<org>`: where its messages wait for its rate, circuit and
    /// Genesys, so one org's backlog never sits in front of another's.
    public var orgQueuePrefix = "genesys.org."
    public var orgQueueType: QueueType = .quorum
    /// Delay tiers: a retry waits in the smallest tier at least as long as its delay, then the broker
    /// dead-letters it back to `outbound`. Waiting messages stay in RabbitMQ, not in gateway memory.
    public var retryTiers: [Duration] = [.seconds(1), .seconds(5), .seconds(30), .seconds(120), .seconds(600)]
    /// Each tier's queue is this plus the tier (`1s`, `2m`, ...).
    public var retryQueuePrefix = "genesys.retry."

    public init() {}

    /// The same topology under another name prefix: `<prefix>.outbound`, `<prefix>.outbound.dlq`,
    /// `<prefix>.status`, `<prefix>.inbound`, ... (`genesys` gives the default names).
    public init(prefix: String) {
        outbound = "\(prefix).outbound"
        orgExchange = "\(prefix).outbound.orgs"
        unroutedExchange = "\(prefix).outbound.unrouted"
        deadLetterExchange = "\(prefix).outbound.dlx"
        deadLetterQueue = "\(prefix).outbound.dlq"
        parkedQueue = "\(prefix).outbound.parked"
        statusExchange = "\(prefix).status"
        inboundExchange = "\(prefix).inbound"
        orgQueuePrefix = "\(prefix).org."
        retryQueuePrefix = "\(prefix).retry."
    }

    /// The queue `org`'s messages wait in (tenant ids and org names hold no dots, so names never collide).
    public func orgQueue(for org: OrgKey) -> String {
        "\(orgQueuePrefix)\(org.tenantID).\(org.orgName)"
    }

    /// The routing key on ``orgExchange`` that leads to `org`'s queue: `<tenant>.<org>` (neither holds a dot, a
    /// `*` or a `#`, so a key is never a pattern).
    public func directRoutingKey(for org: OrgKey) -> String {
        "\(org.tenantID).\(org.orgName)"
    }

    /// How `org`'s queue is bound to ``orgExchange``: by ``directRoutingKey(for:)``, and by the tenant id alone
    /// when it is the tenant's default org (a message that names no org is for that one).
    public func directBindings(for org: OrgKey, isDefault: Bool) -> [AMQPBinding] {
        let own = AMQPBinding(exchange: orgExchange, routingKey: directRoutingKey(for: org))
        return isDefault ? [own, AMQPBinding(exchange: orgExchange, routingKey: org.tenantID)] : [own]
    }

    /// The org whose queue `queue` is, or nil for any other queue.
    public func org(ofQueue queue: String) -> OrgKey? {
        guard queue.hasPrefix(orgQueuePrefix) else { return nil }
        let parts = queue.dropFirst(orgQueuePrefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let tenant = parts.first, let org = parts.last, !tenant.isEmpty, !org.isEmpty else { return nil }
        return OrgKey(tenantID: String(tenant), orgName: String(org))
    }

    /// How `org`'s queue is declared: `orgQueueType`, the same delivery limit (quorum) and dead-lettering as the ingress queue,
    /// and a single active consumer, so that however many gateways consume it, one at a time sends the
    /// org's messages (order per conversation) and another takes over when it goes.
    public func orgQueueDeclaration(for org: OrgKey) -> AMQPQueueDeclaration {
        var arguments = [
            AMQPArgument("x-queue-type", .string(orgQueueType.rawValue)),
            AMQPArgument("x-dead-letter-exchange", .string(deadLetterExchange)),
            AMQPArgument("x-single-active-consumer", .bool(true)),
        ]
        if orgQueueType == .quorum { arguments.append(AMQPArgument("x-delivery-limit", .int(Int64(deliveryLimit)))) }
        return AMQPQueueDeclaration(name: orgQueue(for: org), arguments: arguments)
    }

    public func retryQueue(for tier: Duration) -> String {
        let seconds = tier.components.seconds
        return seconds % 60 == 0 && seconds >= 60 ? "\(retryQueuePrefix)\(seconds / 60)m" : "\(retryQueuePrefix)\(seconds)s"
    }

    /// The tier a retry after `delay` waits in: the smallest one not shorter than the delay (the last one
    /// for longer delays).
    public func tier(for delay: Duration) -> Duration {
        retryTiers.first { $0 >= delay } ?? retryTiers.last ?? .seconds(1)
    }

    /// A tier's queue as the gateway declares it (a consumer must declare it the same way).
    public func retryQueueDeclaration(for tier: Duration) -> AMQPQueueDeclaration {
        AMQPQueueDeclaration(
            name: retryQueue(for: tier), arguments: retryQueueArguments(for: tier).map { AMQPArgument($0.0, $0.1) })
    }

    /// The ingress queue as the gateway declares it. One router at a time (`x-single-active-consumer`): with
    /// several replicas each taking part of the ingress queue, a conversation's next message could reach its
    /// org queue before the previous one (another replica forwarded it sooner).
    public var outboundDeclaration: AMQPQueueDeclaration {
        var arguments = [
            AMQPArgument("x-queue-type", .string(outboundType.rawValue)), AMQPArgument("x-dead-letter-exchange", .string(deadLetterExchange)),
            AMQPArgument("x-single-active-consumer", .bool(true)),
        ]
        if outboundType == .quorum { arguments.append(AMQPArgument("x-delivery-limit", .int(Int64(deliveryLimit)))) }
        return AMQPQueueDeclaration(name: outbound, arguments: arguments)
    }

    /// A tier's queue: its TTL dead-letters each message back to `outbound`. Quorum tiers dead-letter
    /// at least once (the broker keeps a message until `outbound` confirmed it, and refuses new ones when
    /// full rather than dropping old ones); classic queues can only dead-letter at most once.
    package func retryQueueArguments(for tier: Duration) -> [(String, AMQPFieldValue)] {
        var arguments: [(String, AMQPFieldValue)] = [
            ("x-queue-type", .string(outboundType.rawValue)),
            ("x-message-ttl", .int(tier.components.seconds * 1000)),
            ("x-dead-letter-exchange", .string("")), ("x-dead-letter-routing-key", .string(outbound)),
        ]
        if outboundType == .quorum {
            arguments += [("x-dead-letter-strategy", .string("at-least-once")), ("x-overflow", .string("reject-publish"))]
        }
        return arguments
    }
}
