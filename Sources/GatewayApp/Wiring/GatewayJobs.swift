import GatewayCore
import ServiceLifecycle

/// The gateway's own ``MessageJobs`` (a webhook message's late broker confirm, `Failed` receipts, circuit events)
/// as a service: its jobs run as children of ``run()``, and a graceful shutdown lets those started finish within
/// `deadline`, then cancels the rest (a receipt's later tries, a confirm nobody waits for any more).
///
/// Listed after the consumer in the gateway's group, so it stops before it: its jobs still have the AMQP
/// connection the consumer runs, and the HTTP API, which starts most of them, has stopped by then.
struct GatewayJobs: Service {
    let jobs: MessageJobs
    let deadline: Duration
    let clock: any MonotonicClock

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await jobs.run() }
            // Thrown only when this task is cancelled, which cancels the jobs too.
            try? await gracefulShutdown()
            jobs.finish()
            group.addTask { [clock, deadline] in try? await clock.sleep(for: deadline) }
            // Whichever ends first: the last job, or the deadline.
            await group.next()
            group.cancelAll()
        }
    }
}
