import Foundation

/// A gateway's idempotency record as `run` leaves it in its `--state-dir` (`idempotency/`, written by
/// `FileIdempotencyStore`): `sends.jsonl` has a `{"event":"sending",…}` line before each call to Genesys and an
/// `{"event":"ended",…}` line when Genesys did not take the message; the `receipts-*.jsonl` generations have a
/// receipt line (`{"id":…,"org":…}`) for each message Genesys took.
enum IdempotencyRecordFile {
    /// The messages whose send the record shows under way: a `sending` line with neither an `ended` line after it
    /// nor a receipt. Read from a gateway that was killed (and not yet restarted), these are the calls to Genesys
    /// the kill cut short: the only messages a restarted or surviving gateway may send again.
    static func sendsUnderWay(stateDirectory: String) throws -> Set<String> {
        var open: Set<String> = []
        for (id, isSending) in try lines(of: stateDirectory + "/idempotency/sends.jsonl") {
            if isSending { open.insert(id) } else { open.remove(id) }
        }
        return open.subtracting(try receiptIDs(stateDirectory: stateDirectory))
    }

    /// Every message whose send the record shows started (a `sending` line), finished or not.
    static func sendsStarted(stateDirectory: String) throws -> Set<String> {
        Set(try lines(of: stateDirectory + "/idempotency/sends.jsonl").filter(\.isSending).map(\.id))
    }

    private static func receiptIDs(stateDirectory: String) throws -> Set<String> {
        let folder = stateDirectory + "/idempotency"
        let logs = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("receipts-") && $0.hasSuffix(".jsonl") }
        return Set(try logs.flatMap { try lines(of: folder + "/" + $0) }.map(\.id))
    }

    /// A file's lines in order: each message id, and whether the line is a `sending` mark (else a receipt or an
    /// `ended` line).
    private static func lines(of path: String) throws -> [(id: String, isSending: Bool)] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                let id = object["id"] as? String
            else { return nil }
            return (id, object["event"] as? String == "sending")
        }
    }
}
