import AMQPTransport
import ArgumentParser
import Broker
import Foundation
import GatewayCore

/// How to reach RabbitMQ and which topology to use; shared by `run`, `publish` and `replay-dlq`.
struct QueueOptions: ParsableArguments {
    static let defaultAMQPURL = "amqp://guest:guest@127.0.0.1:5673/%2F"

    /// Only what the command line says: `--help` prints an option's default, so a default read from
    /// GGW_AMQP_URL would print the broker password.
    @Option(
        name: .customLong("amqp-url"),
        help: "RabbitMQ URL (env GGW_AMQP_URL, several separated by ';', else \(QueueOptions.defaultAMQPURL)); vhost '/' is written %2F. Repeat it for a cluster's nodes: the first is tried first, the next after each failed or lost connection.")
    var amqpURLArguments: [String] = []

    @Option(help: "Type of the outbound queue when it is first declared: quorum or classic.")
    var queueType: String = "quorum"

    @Option(help: "Type of each org's own queue when it is first declared: quorum or classic (default: --queue-type).")
    var orgQueueType: String?

    @Option(help: "Name prefix of every queue and exchange: <prefix>.outbound, <prefix>.outbound.dlq, <prefix>.status, ...")
    var queuePrefix: String = "genesys"

    /// The URLs to connect with, in order, passwords included: never print them, print ``printableAMQPURL``. Several
    /// are a cluster's nodes; in the environment they are separated by `;`, as Celery's and kombu's broker URLs are.
    var amqpURLs: [String] {
        if !amqpURLArguments.isEmpty { return amqpURLArguments }
        let fromEnvironment = (GatewayEnvironment.value("GGW_AMQP_URL") ?? "").split(separator: ";")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return fromEnvironment.isEmpty ? [Self.defaultAMQPURL] : fromEnvironment
    }

    /// The first URL: the one the tools that make one connection use.
    var amqpURL: String { amqpURLs.first ?? Self.defaultAMQPURL }

    /// A URL the connection would refuse (an unknown or half-given TLS parameter, say) stops the command before it
    /// starts, instead of being retried every few seconds. The error names the parameter, never the URL. Every URL
    /// must log in as one user: the gateway stamps its publishes with it (`user_id`), and a node that saw another
    /// user would refuse them.
    func validate() throws {
        var users: Set<String?> = []
        for (index, url) in amqpURLs.enumerated() {
            do {
                users.insert(try AMQPURL(parsing: url).userName)
            } catch {
                let which = amqpURLs.count > 1 ? " \(index + 1) of \(amqpURLs.count)" : ""
                throw ValidationError("--amqp-url (or GGW_AMQP_URL)\(which): \(error)")
            }
        }
        guard users.count <= 1 else {
            throw ValidationError("every --amqp-url (or GGW_AMQP_URL) must log in as the same RabbitMQ user: the gateway stamps its publishes with it")
        }
    }

    /// The URLs as output and logs may show them: without their passwords.
    var printableAMQPURL: String {
        amqpURLs.map(URLRedaction.hidingPassword(in:)).joined(separator: "; ")
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
