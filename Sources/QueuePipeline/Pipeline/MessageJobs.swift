/// The work the consuming side starts for its messages — a send, a wait for a rate-limit slot, a copy behind a
/// deferred conversation, a pause before a requeue, an org's release — run as child tasks of the consumer's task
/// group rather than as detached tasks: the consumer's shutdown waits for every one it started, and cancels those
/// still running past its deadline (their messages stay unacked, and the broker hands them out again).
///
/// Components hand work over with ``spawn(_:)`` from anywhere, synchronous code and the AMQP connection's callbacks
/// included; ``run()`` runs it until it is cancelled or ``finish()`` is called and everything started has ended.
public final class MessageJobs: Sendable {
    public typealias Job = @Sendable () async -> Void

    private let stream: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// Starts `job` as a child of ``run()``; dropped once ``finish()`` was called (a message it concerned stays
    /// unacked and comes back).
    public func spawn(_ job: @escaping Job) {
        continuation.yield(job)
    }

    /// No more jobs: ``run()`` returns once those started have ended.
    public func finish() {
        continuation.finish()
    }

    /// Runs every job handed over, each as a child task, until ``finish()`` and the last one's end, or until the
    /// calling task is cancelled (which cancels every job still running).
    public func run() async {
        await withDiscardingTaskGroup { group in
            for await job in stream {
                group.addTask { await job() }
            }
        }
    }
}
