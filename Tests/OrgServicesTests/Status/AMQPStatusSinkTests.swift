import BrokerTesting
import Logging
import Testing
@testable import Broker
@testable import OrgServices

/// What `--status-events` lets through to `genesys.status`.
@Suite struct AMQPStatusSinkTests {
    static let every: [StatusEvent.Status] = [.queued, .accepted, .sent, .retrying, .deadLettered, .parked, .expired, .circuit]

    /// The routing keys' status parts of what `level` published when handed one event of each status.
    static func published(at level: StatusEventLevel) async -> [String] {
        let broker = InMemoryBroker()
        let sink = AMQPStatusSink(client: broker, exchange: broker.topology.statusExchange, level: level, logger: Logger(label: "test"))
        for status in every {
            await sink.publish(StatusEvent(status: status, messageId: "m-1", tenantId: "acme", org: "main"))
        }
        return broker.published.map { String($0.routingKey.split(separator: ".").last ?? "") }
    }

    @Test func allPublishesEveryEvent() async {
        #expect(await Self.published(at: .all) == Self.every.map(\.rawValue))
    }

    @Test func outcomesLeaveOutOnlyTheStepsOnTheWay() async {
        #expect(await Self.published(at: .outcomes) == ["sent", "retrying", "dead_lettered", "parked", "expired", "circuit"])
    }
}
