import Foundation
import GenesysSandbox

/// One run's outcome, joined from what was published (the ledger), what Genesys received (the sandbox)
/// and what was set aside (the dead-letter and parking queues).
struct Tally: Sendable {
    var published = 0
    var delivered = 0
    var deadLettered = 0
    /// Published and confirmed, not at Genesys nor set aside when the run ended, but still in the broker
    /// (a retry tier, an org queue): late, not lost.
    var late = 0
    /// Published and confirmed, yet neither at Genesys, nor set aside, nor still queued.
    var lost = 0
    /// Extra copies Genesys received.
    var duplicates = 0
    /// Crafted messages published (poison fault), and how many of them the gateway dead-lettered or parked.
    var poisonPublished = 0
    var poisonSetAside = 0
    /// Confirm by the broker → first arrival at Genesys, over delivered messages.
    var longestDelay: Double = 0
    var p99Delay: Double = 0
    /// The message that waited longest, to look up in the gateway's log.
    var slowestID: String?

    init() {}

    /// - Parameter leftovers: what was left in the gateway's queues at the end (it may hold spare copies of
    ///   delivered messages, which excuse nothing).
    init(ledger: Ledger, received: [ReceivedMessage], setAside: [[UInt8]], leftovers: [[UInt8]]) {
        let honest = ledger.honest
        var poisonLeft = ledger.poison
        poisonPublished = poisonLeft.values.reduce(0, +)
        published = honest.count + poisonPublished

        var arrivals: [String: (count: Int, first: Date)] = [:]
        for message in received {
            guard let id = message.channelMessageId, honest[id] != nil else { continue }
            let seen = arrivals[id]
            arrivals[id] = ((seen?.count ?? 0) + 1, min(seen?.first ?? message.receivedAt, message.receivedAt))
        }
        delivered = arrivals.count
        duplicates = arrivals.values.reduce(0) { $0 + $1.count - 1 }

        var honestSetAside = Set<String>()
        for body in setAside {
            if let left = poisonLeft[body], left > 0 {
                poisonLeft[body] = left - 1
                poisonSetAside += 1
            } else if let id = Self.id(of: body), honest[id] != nil, arrivals[id] == nil {
                honestSetAside.insert(id)
            }
        }
        deadLettered = poisonSetAside + honestSetAside.count
        // Late: neither at Genesys nor set aside, but still in a queue.
        var waiting = Set<String>()
        var poisonWaiting = 0
        for body in leftovers {
            if let left = poisonLeft[body], left > 0 {
                poisonLeft[body] = left - 1
                poisonWaiting += 1
            } else if let id = Self.id(of: body), honest[id] != nil, arrivals[id] == nil, !honestSetAside.contains(id) {
                waiting.insert(id)
            }
        }
        late = waiting.count + poisonWaiting
        lost = max(0, published - delivered - deadLettered - late)

        let delays = arrivals.compactMap { id, arrival in honest[id].map { (id, arrival.first.timeIntervalSince($0)) } }
            .sorted { $0.1 < $1.1 }
        longestDelay = max(0, delays.last?.1 ?? 0)
        slowestID = delays.last?.0
        if !delays.isEmpty { p99Delay = max(0, delays[min(delays.count - 1, Int(Double(delays.count) * 0.99))].1) }
    }

    /// The `id` of an honest message's body.
    private static func id(of body: [UInt8]) -> String? {
        struct Identified: Decodable { let id: String }
        return try? JSONDecoder().decode(Identified.self, from: Data(body)).id
    }
}
