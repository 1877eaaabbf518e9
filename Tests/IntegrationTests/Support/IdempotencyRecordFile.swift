import Foundation

/// A gateway's idempotency record as `run` leaves it in its `--state-dir` (`idempotency.jsonl`, written by
/// `FileIdempotencyStore`): one JSON line per event — `{"event":"sending",…}` before a call to Genesys, a receipt
/// (`{"id":…,"org":…}`) once Genesys took the message, `{"event":"ended",…}` when it did not.
enum IdempotencyRecordFile {
    /// The messages whose send the record shows under way: a `sending` line with no receipt or `ended` line after
    /// it. Read from a gateway that was killed (and not yet restarted), these are the calls to Genesys the kill cut
    /// short: the only messages a restarted or surviving gateway may send again.
    static func sendsUnderWay(stateDirectory: String) throws -> Set<String> {
        let text = try String(contentsOfFile: stateDirectory + "/idempotency.jsonl", encoding: .utf8)
        var open: Set<String> = []
        for line in text.split(whereSeparator: \.isNewline) {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                let id = object["id"] as? String
            else { continue }
            if object["event"] as? String == "sending" { open.insert(id) } else { open.remove(id) }
        }
        return open
    }

    /// Every message whose send the record shows started (a `sending` line), finished or not.
    static func sendsStarted(stateDirectory: String) throws -> Set<String> {
        let text = try String(contentsOfFile: stateDirectory + "/idempotency.jsonl", encoding: .utf8)
        var started: Set<String> = []
        for line in text.split(whereSeparator: \.isNewline) {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                object["event"] as? String == "sending", let id = object["id"] as? String
            else { continue }
            started.insert(id)
        }
        return started
    }
}
