import AMQPTransport
import ArgumentParser
import Broker
import GatewayCore

/// How to reach RabbitMQ and which topology to use; shared by `run`, `publish` and `replay-dlq`.
struct QueueOptions: ParsableArguments {
    static let defaultAMQPURL = "amqp://guest:guest@127.0.0.1:5673/%2F"

    /// Only what the command line says: `--help` prints an option's default, so a default read from
    /// GGW_AMQP_URL would print the broker password.
    @Option(
        name: .customLong("amqp-url"),
        help: "RabbitMQ URL (env GGW_AMQP_URL, else \(QueueOptions.defaultAMQPURL)); vhost '/' is written %2F.")
    var amqpURLArgument: String?

    @Option(help: "Type of the outbound queue when it is first declared: quorum or classic.")
    var queueType: String = "quorum"

    @Option(help: "Type of each org's own queue when it is first declared: quorum or classic (default: --queue-type).")
    var orgQueueType: String?

    @Option(help: "Name prefix of every queue and exchange: <prefix>.outbound, <prefix>.outbound.dlq, <prefix>.status, ...")
    var queuePrefix: String = "genesys"

    /// The URL to connect with, password included: never print it, print ``printableAMQPURL``.
    var amqpURL: String {
        amqpURLArgument ?? GatewayEnvironment.value("GGW_AMQP_URL") ?? Self.defaultAMQPURL
    }

    /// A URL the connection would refuse (an unknown or half-given TLS parameter, say) stops the command before it
    /// starts, instead of being retried every few seconds. The error names the parameter, never the URL.
    func validate() throws {
        do {
            _ = try AMQPURL(parsing: amqpURL)
        } catch {
            throw ValidationError("--amqp-url (or GGW_AMQP_URL): \(error)")
        }
    }

    /// The URL as output and logs may show it: without its password.
    var printableAMQPURL: String {
        URLRedaction.hidingPassword(in: amqpURL)
    }

    var topology: QueueTopology {
        get throws {
            guard let type = QueueTopology.QueueType(rawValue: queueType) else {
                throw ValidationError("--queue-type must be quorum or classic, not '\(queueType)'")
            }
            guard let orgType = QueueTopology.QueueType(rawValue: orgQueueType ?? queueType) else {
                throw ValidationError("--org-queue-type must be quorum or classic, not '\(orgQueueType ?? "")'")
            }
            var topology = QueueTopology(prefix: queuePrefix)
            topology.outboundType = type
            topology.orgQueueType = orgType
            return topology
        }
    }
}
