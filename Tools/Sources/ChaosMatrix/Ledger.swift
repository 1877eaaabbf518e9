import Foundation
import Synchronization

/// What the fault matrix published in one run, and when the broker confirmed each message.
///
/// Honest messages are tracked by id (Genesys sees it as `channel.messageId`); poison ones by body, since
/// some have no id: their dead-letter copy carries the same body.
final class Ledger: Sendable {
    struct Entry: Sendable {
        let confirmedAt: Date
        /// An honest message's id; nil for poison.
        let honestID: String?
    }

    private struct State {
        var honest: [String: Date] = [:]
        /// Poison bodies and how many times each was published (a body can repeat only by accident).
        var poison: [[UInt8]: Int] = [:]
        /// Published, but no confirm before the run's end: not the gateway's to deliver.
        var unconfirmed = 0
    }

    private let state = Mutex(State())

    func confirmed(honestID: String, at time: Date) {
        state.withLock { $0.honest[honestID] = time }
    }

    func confirmed(poison body: [UInt8]) {
        state.withLock { $0.poison[body, default: 0] += 1 }
    }

    func unconfirmed() {
        state.withLock { $0.unconfirmed += 1 }
    }

    var honest: [String: Date] { state.withLock { $0.honest } }
    var poison: [[UInt8]: Int] { state.withLock { $0.poison } }
    var unconfirmedCount: Int { state.withLock { $0.unconfirmed } }
}
