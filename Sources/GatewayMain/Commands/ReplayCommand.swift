import AMQPTransport
import ArgumentParser
import Broker
import GatewayApp
import QueuePipeline

/// `genesys-gateway replay-dlq`: move dead-lettered (or parked) messages back to `genesys.outbound`.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay-dlq", abstract: "Move dead-lettered messages back to genesys.outbound for another try.")

    @OptionGroup var logging: LoggingOptions

    @OptionGroup var queue: QueueOptions

    @Option(help: "Only this tenant's messages.")
    var tenant: String?

    @Option(help: "At most this many messages.")
    var limit: Int = 1000

    @Flag(help: "Replay the parking queue (messages of disabled tenants or types) instead of the dead-letter queue.")
    var parked = false

    func run() async throws {
        try logging.bootstrap()
        let topology = try queue.topology
        let source = parked ? topology.parkedQueue : topology.deadLetterQueue
        let report = try QueueReplayer(url: queue.amqpURL, topology: topology).replay(from: source, tenant: tenant, limit: limit)
        print("moved \(report.moved) message(s) from \(source) to \(topology.outbound); \(report.skipped) of other tenants left in place")
    }
}
