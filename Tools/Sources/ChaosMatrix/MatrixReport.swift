/// The matrix as text: one line per fault while it runs, and a Markdown table at the end (docs/chaos.md
/// keeps one).
enum MatrixReport {
    static func line(_ outcome: FaultRun.Outcome) -> String {
        if let cannotRun = outcome.cannotRun {
            return outcome.skippedByFlag ? "skipped (flag): \(cannotRun)" : "FAILED, cannot run: \(cannotRun)"
        }
        let tally = outcome.tally
        return "fault seen: \(seen(outcome)); published \(tally.published), unconfirmed \(outcome.unconfirmed), "
            + "delivered \(tally.delivered), late \(tally.late), lost \(tally.lost), "
            + "duplicated \(tally.duplicates) (bound \(outcome.duplicateBound): \(outcome.kills + outcome.crashes) deaths × \(outcome.inFlightCap) in flight), "
            + "dead-lettered \(tally.deadLettered), longest delay \(seconds(tally.longestDelay)) (p99 \(seconds(tally.p99Delay)), "
            + "slowest \(tally.slowestID ?? "none")), crashes \(outcome.crashes)"
            + (outcome.failed ? " — FAILED: \(outcome.failures.joined(separator: "; "))" : " — ok")
    }

    static func table(_ outcomes: [FaultRun.Outcome]) -> String {
        var lines = [
            "| fault | fault seen | published | unconfirmed | delivered | late (still queued) | lost | duplicated (bound) | dead-lettered | longest delay | p99 delay | gateway crashes | row |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for outcome in outcomes {
            let tally = outcome.tally
            if let cannotRun = outcome.cannotRun {
                let seen = outcome.skippedByFlag ? "skipped (flag): \(cannotRun)" : "NO — cannot run: \(cannotRun)"
                lines.append("| \(outcome.fault.rawValue) | \(seen) | | | | | | | | | | | \(outcome.skippedByFlag ? "skipped" : "FAILED") |")
                continue
            }
            lines.append(
                "| \(outcome.fault.rawValue) | \(seen(outcome)) | \(tally.published) | \(outcome.unconfirmed) | \(tally.delivered) | "
                    + "\(tally.late) | \(tally.lost) | \(tally.duplicates) (≤ \(outcome.duplicateBound)) | \(tally.deadLettered) | "
                    + "\(seconds(tally.longestDelay)) | \(seconds(tally.p99Delay)) | \(outcome.crashes) | \(outcome.failed ? "FAILED" : "ok") |")
        }
        return lines.joined(separator: "\n")
    }

    /// "yes — 503 injected: 412" or "NO — 503 injected: 0".
    private static func seen(_ outcome: FaultRun.Outcome) -> String {
        "\(outcome.evidence.seen ? "yes" : "NO") — \(outcome.evidence.evidence)"
    }

    private static func seconds(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
