import Logging
import ServiceLifecycle

/// The service that consumes `genesys.outbound`: the AMQP connection thread plus the dispatcher.
///
/// On graceful shutdown (SIGTERM/SIGINT) it stops taking deliveries, lets what is in flight finish within
/// `shutdownTimeout`, then closes the connection — the broker requeues anything still unacked.
public struct OutboundConsumer: Service {
    private let client: AMQPClient
    private let dispatcher: Dispatcher
    private let shutdownTimeout: Duration
    private let logger: Logger

    public init(
        client: AMQPClient, delivery: DeliveryService, registry: TenantRegistry, status: any StatusSink,
        clock: any MonotonicClock, perOrgInFlight: Int, shutdownTimeout: Duration, logger: Logger
    ) {
        self.client = client
        self.shutdownTimeout = shutdownTimeout
        self.logger = logger
        let processor = MessageProcessor(
            client: client, delivery: delivery, registry: registry, status: status, topology: client.settings.topology,
            clock: clock, logger: logger)
        dispatcher = Dispatcher(processor: processor, perOrgLimit: perOrgInFlight)
    }

    public func run() async throws {
        async let connection: Void = client.run()
        for await inbound in client.deliveries.cancelOnGracefulShutdown() {
            await dispatcher.submit(inbound)
        }
        let pending = await dispatcher.pending
        logger.info("stopped consuming; finishing in-flight messages", metadata: ["in.flight": "\(pending)"])
        await dispatcher.waitUntilIdle(timeout: shutdownTimeout)
        let left = await dispatcher.pending
        if left > 0 {
            logger.warning("shutdown deadline passed; unfinished messages go back to the queue", metadata: ["in.flight": "\(left)"])
        }
        client.stop()
        await connection
    }
}
