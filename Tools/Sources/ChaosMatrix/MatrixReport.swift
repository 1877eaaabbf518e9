/// The matrix as text: one line per fault while it runs, and a Markdown table at the end (docs/chaos.md
/// keeps one).
enum MatrixReport {
    static func line(_ outcome: FaultRun.Outcome) -> String {
        if let skipped = outcome.skipped { return "skipped: \(skipped)" }
        let tally = outcome.tally
        return "published \(tally.published), delivered \(tally.delivered), late \(tally.late), lost \(tally.lost), duplicated \(tally.duplicates), "
            + "dead-lettered \(tally.deadLettered), longest delay \(seconds(tally.longestDelay)) (p99 \(seconds(tally.p99Delay)), slowest \(tally.slowestID ?? "none")), "
            + "unconfirmed \(outcome.unconfirmed), kills \(outcome.kills), crashes \(outcome.crashes)"

    }

    static func table(_ outcomes: [FaultRun.Outcome]) -> String {
        var lines = [
            "| fault | published | delivered | late (still queued) | lost | duplicated | dead-lettered | longest delay | p99 delay | gateway crashes |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for outcome in outcomes {
            let tally = outcome.tally
            if let skipped = outcome.skipped {
                lines.append("| \(outcome.fault.rawValue) | skipped: \(skipped) | | | | | | | | |")
                continue
            }
            lines.append(
                "| \(outcome.fault.rawValue) | \(tally.published) | \(tally.delivered) | \(tally.late) | \(tally.lost) | \(tally.duplicates) | "
                    + "\(tally.deadLettered) | \(seconds(tally.longestDelay)) | \(seconds(tally.p99Delay)) | \(outcome.crashes) |")
        }
        return lines.joined(separator: "\n")
    }

    private static func seconds(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
