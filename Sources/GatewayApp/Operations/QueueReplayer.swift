import AMQPTransport
public import Broker
import Foundation
import PluginKit

/// Moves messages from one queue (the dead-letter or parking queue) back to `genesys.outbound`: each one is
/// republished with its gateway headers removed (a fresh start), confirmed by the broker, and only then
/// acked in the source queue. Messages of other tenants stay where they were.
///
/// Blocking: it owns its own connection, on the calling thread; used by the `replay-dlq` command.
public struct QueueReplayer {
    public struct Report: Sendable, Equatable {
        public var moved: Int
        public var skipped: Int
    }

    private let url: String
    private let topology: QueueTopology

    public init(url: String, topology: QueueTopology) {
        self.url = url
        self.topology = topology
    }

    /// Replays up to `limit` messages of `source` (of `tenant` only, when given).
    public func replay(from source: String, tenant: String?, limit: Int) throws(AMQPError) -> Report {
        let connection = try AMQPConnection(url: url, heartbeatSeconds: 0, connectTimeout: .seconds(5))
        try connection.openChannel(1)
        try topology.declare(on: connection, channel: 1)
        try connection.confirmSelect(channel: 1)
        var report = Report(moved: 0, skipped: 0)
        var skippedTags: [UInt64] = []
        var confirmTag: UInt64 = 0
        while report.moved < limit, let delivery = try connection.get(queue: source, channel: 1) {
            let messageTenant = delivery.headers[QueueHeaders.tenant]?.stringValue
                ?? (try? QueuedMessage.decode(delivery.body).get())?.tenantId
            if let tenant, messageTenant != tenant {
                skippedTags.append(delivery.deliveryTag)
                report.skipped += 1
                continue
            }
            let headers = delivery.headers.filter { !$0.key.hasPrefix("x-") }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            confirmTag += 1
            try connection.publish(
                AMQPMessage(routingKey: topology.outbound, body: delivery.body, headers: headers, messageID: delivery.messageID),
                channel: 1, tag: confirmTag)
            try waitForConfirm(confirmTag, on: connection)
            try connection.ack(delivery.deliveryTag, channel: 1)
            report.moved += 1
        }
        for tag in skippedTags { try connection.reject(tag, requeue: true, channel: 1) }
        return report
    }

    private func waitForConfirm(_ tag: UInt64, on connection: AMQPConnection) throws(AMQPError) {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if case .confirm(let confirmed, let multiple, let ok) = try connection.nextEvent(timeout: .milliseconds(100)),
               confirmed == tag || (multiple && confirmed >= tag) {
                guard ok else { throw AMQPError("replay", "the broker refused the republished message") }
                return
            }
        }
        throw AMQPError("replay", "no confirm from the broker within 10 s")
    }
}
