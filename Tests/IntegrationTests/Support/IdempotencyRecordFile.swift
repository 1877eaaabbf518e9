import Foundation

/// A gateway's idempotency record as `run` leaves it in its `--state-dir` (`idempotency.jsonl`, written by
/// `FileIdempotencyStore`): one JSON line per event — `{"event":"sending",…}` before a call to Genesys, a receipt
/// (`{"id":…,"org":…}`) once Genesys took the message, `{"event":"ended",…}` when it did not.
enum IdempotencyRecordFile {
    /// The messages whose send the record shows under way: a `sending` line with no receipt or `ended` line after
    /// it. Read from a gateway that was killed (and not yet restarted), these are the calls to Genesys the kill cut
    /// short: the only messages a restarted or surviving gateway may send again.
    static func sendsUnderWay(stateDirectory: String) throws -> Set<String> {
        var open: Set<String> = []
        for (id, isSending) in try entries(stateDirectory: stateDirectory) {
            if isSending { open.insert(id) } else { open.remove(id) }
        }
        return open
    }

    /// Every message whose send the record shows started (a `sending` line), finished or not.
    static func sendsStarted(stateDirectory: String) throws -> Set<String> {
        Set(try entries(stateDirectory: stateDirectory).filter(\.isSending).map(\.id))
    }

    /// The record's lines in order: each message id, and whether the line is a `sending` mark (else a receipt or
    /// an `ended` line).
    private static func entries(stateDirectory: String) throws -> [(id: String, isSending: Bool)] {
        let text = try String(contentsOfFile: stateDirectory + "/idempotency.jsonl", encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                let id = object["id"] as? String
            else { return nil }
            return (id, object["event"] as? String == "sending")
        }
    }
}
