import ArgumentParser

/// How to reach RabbitMQ and which topology to use; shared by `run`, `publish` and `replay-dlq`.
struct QueueOptions: ParsableArguments {
    @Option(name: .customLong("amqp-url"), help: "RabbitMQ URL (env GGW_AMQP_URL); vhost '/' is written %2F.")
    var amqpURL: String = GatewayEnvironment.value("GGW_AMQP_URL") ?? "amqp://guest:guest@127.0.0.1:5673/%2F"

    @Option(help: "Type of the outbound queue when it is first declared: quorum or classic.")
    var queueType: String = "quorum"

    @Option(help: "Name prefix of every queue and exchange: <prefix>.outbound, <prefix>.outbound.dlq, <prefix>.status, ...")
    var queuePrefix: String = "genesys"

    var topology: QueueTopology {
        get throws {
            guard let type = QueueTopology.QueueType(rawValue: queueType) else {
                throw ValidationError("--queue-type must be quorum or classic, not '\(queueType)'")
            }
            var topology = QueueTopology(prefix: queuePrefix)
            topology.outboundType = type
            return topology
        }
    }
}
