import Synchronization
import Testing
@testable import GatewayCore

/// The consumer's jobs, spread over several task groups: every job handed over runs, `run()` ends only after the
/// last one after `finish()`, and cancelling `run()` cancels the jobs still running.
@Suite(.timeLimit(.minutes(1))) struct MessageJobsTests {
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
        func add() { value.wrappingAdd(1, ordering: .relaxed) }
        var count: Int { value.load(ordering: .relaxed) }
    }

    @Test func everyJobRunsAndRunEndsAfterTheLastOneOnceFinished() async {
        let jobs = MessageJobs()
        let done = Counter()
        let count = MessageJobs.groups * 10 + 3  // some groups get one more
        for _ in 0..<count {
            jobs.spawn {
                try? await Task.sleep(for: .milliseconds(20))
                done.add()
            }
        }
        jobs.finish()
        await jobs.run()
        #expect(done.count == count)
    }

    @Test func cancellingRunCancelsTheJobsStillRunning() async {
        let jobs = MessageJobs()
        let cancelled = Counter()
        for _ in 0..<MessageJobs.groups * 2 {
            jobs.spawn {
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch {
                    cancelled.add()
                }
            }
        }
        let running = Task { await jobs.run() }
        try? await Task.sleep(for: .milliseconds(100))
        running.cancel()
        await running.value
        #expect(cancelled.count == MessageJobs.groups * 2)
    }
}
