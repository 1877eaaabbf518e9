import AMQPTransport
import ArgumentParser
import Broker
import Foundation
import Logging

/// `genesys-gateway publish`: publish one message the way a platform should (the direct path: the org exchange,
/// routing key `<tenant>.<org>`), for trying the gateway by hand.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Publish one message (a JSON file) to its org's queue and wait for the broker's confirm.")

    @OptionGroup var logging: LoggingOptions

    @OptionGroup var queue: QueueOptions

    @Option(help: "Tenant id, sent as the tenant-id header (the body's tenantId wins when both are given).")
    var tenant: String?

    @Option(help: "The message: a JSON file as in the README's message contract ('-' for standard input).")
    var file: String

    func run() async throws {
        try logging.bootstrap()
        let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
        guard let data, !data.isEmpty else { throw ValidationError("cannot read \(file)") }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ValidationError("\(file) is not a JSON object")
        }
        let messageID = object["id"] as? String
        let client = AMQPClient(
            settings: .init(url: queue.amqpURL, fallbackURLs: Array(queue.amqpURLs.dropFirst()), topology: try queue.topology, prefetch: 0), logger: Logger(label: "genesys-gateway.publish"))
        async let connection: Void = client.run()
        var headers: [(String, AMQPFieldValue)] = []
        if let tenant { headers.append((QueueHeaders.tenant, .string(tenant))) }
        // The direct path (docs/isolation.md): the org exchange, keyed by tenant and org when the message names them;
        // a key no org queue is bound with goes on to the router.
        let topology = try queue.topology
        let tenantID = object["tenantId"] as? String ?? tenant
        let routingKey = [tenantID, object["org"] as? String].compactMap { $0 }.joined(separator: ".")
        let message = AMQPMessage(
            exchange: topology.orgExchange, routingKey: tenantID == nil ? "" : routingKey, body: Array(data), headers: headers,
            messageID: messageID, mandatory: true)
        // The client reconnects for ever; a command must give up instead.
        let published = await withTaskGroup(of: Result<Void, any Error>?.self) { group in
            group.addTask {
                do {
                    try await client.publish(message)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(15))
                return nil
            }
            let first = await group.next() ?? nil
            client.stop()  // also fails a publish still waiting, so the group can finish
            group.cancelAll()
            return first
        }
        await connection
        guard let published else { throw ValidationError("RabbitMQ at \(queue.printableAMQPURL) did not confirm within 15 s") }
        try published.get()
        print("published \(messageID ?? "(no id)") to \(topology.orgExchange) with routing key '\(message.routingKey)'")
    }
}
