import Foundation
import AMQPTransport
import Broker
import GatewayTestSupport
import Logging

/// Publishes the run's traffic at a steady pace, the way a platform's producer would: each message is
/// published until the broker confirms it, so a broker that is down delays messages rather than losing
/// them. Message `k` belongs to org `k % orgs`; with `poison` on, one message in ten is crafted.
struct LoadPublisher: Sendable {
    let orgs: [SandboxTenant]
    /// Messages per second per org.
    let rate: Int
    let duration: Duration
    let poison: Bool
    let runID: String
    let topology: QueueTopology
    let url: String
    let logger: Logger

    var total: Int { orgs.count * rate * Int(duration.components.seconds) }

    /// Publishes everything, pacing by the clock; retries what the broker did not confirm until
    /// `giveUpAfter` past the end of the window, then counts the rest as unconfirmed.
    func run(into ledger: Ledger, giveUpAfter: Duration) async {
        let client = AMQPClient(settings: .init(url: url, topology: topology, prefetch: 0), logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            let start = ContinuousClock.now
            let giveUp = start + duration + giveUpAfter
            let perSecond = Double(orgs.count * rate)
            var next = 0
            var pending: [(message: AMQPMessage, honestID: String?)] = []
            while (next < total || !pending.isEmpty), ContinuousClock.now < giveUp {
                let due = min(total, Int((ContinuousClock.now - start).seconds * perSecond) + 1)
                while next < due {
                    pending.append(message(next))
                    next += 1
                }
                let confirms = pending.map { client.submit($0.message) }
                var failed: [(message: AMQPMessage, honestID: String?)] = []
                for (item, confirm) in zip(pending, confirms) {
                    do {
                        try await confirm.confirmed()
                        if let id = item.honestID { ledger.confirmed(honestID: id, at: Date()) } else { ledger.confirmed(poison: item.message.body) }
                    } catch {
                        failed.append(item)
                    }
                }
                pending = failed
                // A refused batch waits a little before its next try; a confirmed one goes on with the pace.
                try? await Task.sleep(for: failed.isEmpty ? .milliseconds(20) : .milliseconds(250))
            }
            for _ in 0..<(pending.count + total - next) { ledger.unconfirmed() }
            client.stop()
        }
    }

    /// Message `k`: honest, or (one in ten with `poison`) one of ``PoisonMessages``.
    private func message(_ k: Int) -> (message: AMQPMessage, honestID: String?) {
        let org = orgs[k % orgs.count]
        let number = k / orgs.count
        let id = "\(runID)-\(org.tenant)-\(number)"
        let honest = org.textMessage(id: id, customer: "+1555\(300_000 + number % 10)", text: "chaos \(number)")
        guard poison, k % 10 == 5 else { return (AMQPMessage(routingKey: topology.outbound, body: honest), id) }
        let crafted = PoisonMessages.message(number: k / 10, org: org, honest: honest, routingKey: topology.outbound)
        return (crafted.message, crafted.honestBody ? id : nil)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
