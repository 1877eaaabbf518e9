import GatewayCore
import GatewayTestSupport
import Logging
import ServiceLifecycle
import Testing
@testable import GatewayApp

/// The gateway's own jobs under a service group: a graceful shutdown waits for the jobs started, and cancels
/// those still running at the deadline.
@Suite(.timeLimit(.minutes(1))) struct GatewayJobsTests {
    static let deadline = Duration.seconds(10)

    let clock = ManualClock()
    let jobs = MessageJobs()

    func group() -> ServiceGroup {
        var logger = Logger(label: "gateway-jobs-test")
        logger.logLevel = .critical
        return ServiceGroup(
            configuration: .init(services: [GatewayJobs(jobs: jobs, deadline: Self.deadline, clock: clock)], logger: logger))
    }

    @Test func aGracefulShutdownWaitsForAJobStarted() async throws {
        let gate = Gate()
        let events = Collected<String>()
        jobs.spawn {
            await gate.wait()
            events.append(Task.isCancelled ? "job cancelled" : "job ended")
        }
        let group = group()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                try await group.run()
                events.append("group stopped")
            }
            while gate.waiting == 0 { await Task.yield() }
            await group.triggerGracefulShutdown()
            // The deadline's timer is the sign that the shutdown reached the jobs.
            await clock.waitForSleepers(1)
            gate.open()
            try await tasks.next()
            #expect(events.all == ["job ended", "group stopped"])
        }
    }

    @Test func aJobStillRunningAtTheDeadlineIsCancelled() async throws {
        let events = Collected<String>()
        jobs.spawn {
            events.append("started")
            do {
                try await Task.sleep(for: .seconds(600))
            } catch {
                events.append("cancelled")
            }
        }
        let group = group()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while events.all.isEmpty { await Task.yield() }
            await group.triggerGracefulShutdown()
            await clock.waitForSleepers(1)
            clock.advance(by: Self.deadline)
            try await tasks.next()
            #expect(events.all == ["started", "cancelled"])
        }
    }
}
