public import Broker
import Foundation
public import Logging

/// Where status events go. The production sink publishes to RabbitMQ; tests may collect them.
public protocol StatusSink: Sendable {
    /// Publishes `event`. Never throws: a status that cannot be published is logged, not allowed to block
    /// or fail a delivery.
    func publish(_ event: StatusEvent) async
}

/// Which status events go to `genesys.status` (`--status-events`).
public enum StatusEventLevel: String, Sendable, CaseIterable {
    /// Every event, `queued` and `accepted` included.
    case all
    /// What happened to each message (`sent`, `retrying`, `dead_lettered`, `parked`, `expired`) and circuit changes,
    /// not the steps on the way: one publish per delivered message instead of two.
    case outcomes

    func publishes(_ status: StatusEvent.Status) -> Bool {
        switch (self, status) {
        case (.all, _): true
        case (.outcomes, .queued), (.outcomes, .accepted): false
        case (.outcomes, _): true
        }
    }
}

/// Publishes status events to the `genesys.status` topic exchange (confirmed, a refusal logged, nobody
/// waiting); drops them while RabbitMQ is unreachable.
public struct AMQPStatusSink: StatusSink {
    private let client: any MessageBroker
    private let exchange: String
    private let level: StatusEventLevel
    private let logger: Logger

    public init(client: any MessageBroker, exchange: String, level: StatusEventLevel = .all, logger: Logger) {
        self.client = client
        self.exchange = exchange
        self.level = level
        self.logger = logger
    }

    public func publish(_ event: StatusEvent) async {
        guard level.publishes(event.status) else { return }
        // While disconnected a publish would wait in memory until the broker is back, one waiting task per event
        // for as long as the outage lasts; status is best effort, so it is dropped (and said so) instead.
        guard client.isConnected else {
            logger.warning("status event dropped: RabbitMQ is not connected", metadata: ["status": "\(event.status.rawValue)", "message.id": "\(event.messageId ?? "")"])
            return
        }
        // Handed over in order, not waited for: a message's send never waits on its own status event.
        let message = AMQPMessage(
            exchange: exchange, routingKey: event.routingKey, body: event.jsonBytes, messageID: AMQPMessage.messageIDProperty(event.messageId))
        client.submit(message).whenAnswered { [logger] result in
            guard case .failure(let error) = result else { return }
            logger.warning("status event not published", metadata: ["status": "\(event.status.rawValue)", "message.id": "\(event.messageId ?? "")", "error": "\(error)"])
        }
    }
}
