/// One row's result: what was published and became of it, whether its fault took effect, and why the row
/// failed (if it did).
extension FaultRun {
    struct Outcome: Sendable {
        let fault: Fault
        var tally = Tally()
        var unconfirmed = 0
        /// SIGKILLs delivered (the process took the signal and died of it), and tried.
        var kills = 0
        var killsAttempted = 0
        var crashes = 0
        /// Whether the fault took effect, and what shows it.
        var evidence = FaultEvidence(seen: false, evidence: "not run")
        /// The sum of the run's org queues' prefetch counts, as the broker reported them: the most messages the
        /// gateway can hold (and so have in flight to Genesys) at one moment.
        var inFlightCap = 0
        /// Why the row could not run (nil when it ran).
        var cannotRun: String?
        /// The row could not run and `--allow-skip` named it: reported as skipped, not failed.
        var skippedByFlag = false
        var logPath = ""

        /// The most duplicates the row may show: only the gateway's death makes it forget a send it started
        /// (receipts are written after Genesys' answer; a redelivered message with a receipt is acked without a
        /// send), and each death can cost at most what the gateway held then — its org queues' prefetch.
        /// See docs/chaos.md, "Duplicates".
        var duplicateBound: Int { (kills + crashes) * inFlightCap }

        /// Why the row failed; empty when it passed (or was skipped by the flag).
        var failures: [String] {
            if let cannotRun {
                return skippedByFlag ? [] : ["cannot run: \(cannotRun) (--allow-skip \(fault.rawValue) skips it)"]
            }
            var reasons: [String] = []
            if tally.published == 0 { reasons.append("nothing published") }
            if unconfirmed > 0 { reasons.append("\(unconfirmed) publishes never confirmed") }
            if tally.lost > 0 { reasons.append("\(tally.lost) lost") }
            if tally.late > 0 { reasons.append("\(tally.late) late (still queued after the settle time)") }
            if crashes > 0 { reasons.append("\(crashes) gateway crashes") }
            if tally.duplicates > duplicateBound {
                reasons.append("\(tally.duplicates) duplicates, more than the \(duplicateBound) in flight at the faults")
            }
            if !evidence.seen { reasons.append("fault not seen (\(evidence.evidence))") }
            return reasons
        }

        var failed: Bool { !failures.isEmpty }
    }
}
