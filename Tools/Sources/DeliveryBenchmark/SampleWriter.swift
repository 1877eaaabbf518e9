import Foundation

/// Writes one CSV row per delivered message (times in ms since the run's start), for plotting added
/// latency or limiter lateness over time.
struct SampleWriter {
    let path: String

    func write(run: LoadDriver.Run, latency: LatencyAnalysis) throws {
        let results = Dictionary(run.results.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func ms(_ time: Duration?) -> String {
            time.map { String(format: "%.3f", ($0 - run.startedAt).ms) } ?? ""
        }
        var text = "org,id,steady,called,slot,limiter_called,limiter_returned,http_called,http_returned,returned,libcurl_ms,added_ms\n"
        for sample in latency.samples {
            guard let result = results[sample.id] else { continue }
            let marks = result.marks
            let fields = [
                "\(sample.org)", sample.id, sample.steady ? "1" : "0", ms(result.calledAt), ms(sample.slot),
                ms(marks.limiterCalled), ms(marks.limiterReturned), ms(marks.httpCalled), ms(marks.httpReturned),
                ms(result.returnedAt), String(format: "%.3f", result.genesysDuration.ms), String(format: "%.3f", sample.added),
            ]
            text += fields.joined(separator: ",") + "\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
