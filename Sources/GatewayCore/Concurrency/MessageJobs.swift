import Synchronization

/// Work started for messages that outlives the call that starts it, run as child tasks of one owner's task group
/// rather than as detached tasks, so that the owner's shutdown waits for every one it started and cancels those
/// still running past its deadline:
/// - the queue consumer's: a send, a wait for a rate-limit slot, a copy behind a deferred conversation, a pause
///   before a requeue, an org's release (a message still unfinished stays unacked; the broker hands it out again);
/// - the gateway's own (`GatewayServices`): a webhook message's late broker confirm, a `Failed` receipt's tries,
///   a circuit's status event.
///
/// Components hand work over with ``spawn(_:)`` from anywhere, synchronous code and the AMQP connection's callbacks
/// included; ``run()`` runs it until it is cancelled or ``finish()`` is called and everything started has ended.
///
/// The jobs are spread over ``groups`` task groups, each handed every n-th job. The Swift runtime keeps a group's
/// children in a list that it walks to take out a child that ended, so one group holding every message in flight
/// (thousands at 40 orgs × 50 msg/s) spent 3.9 % of the gateway's CPU in that walk (docs/benchmarks.md). Jobs never
/// relied on starting in the order they were handed over: each runs concurrently with the others either way.
public final class MessageJobs: Sendable {
    public typealias Job = @Sendable () async -> Void

    static let groups = 16

    private let streams: [(stream: AsyncStream<Job>, continuation: AsyncStream<Job>.Continuation)]
    private let handedOver = Atomic<UInt>(0)

    public init() {
        streams = (0..<Self.groups).map { _ in AsyncStream.makeStream(of: Job.self, bufferingPolicy: .unbounded) }
    }

    /// Starts `job` as a child of ``run()``; dropped once ``finish()`` was called (a message it concerned stays
    /// unacked and comes back).
    public func spawn(_ job: @escaping Job) {
        let turn = handedOver.wrappingAdd(1, ordering: .relaxed).oldValue
        streams[Int(turn % UInt(streams.count))].continuation.yield(job)
    }

    /// No more jobs: ``run()`` returns once those started have ended.
    public func finish() {
        for group in streams { group.continuation.finish() }
    }

    /// Runs every job handed over, each as a child task of one of the groups, until ``finish()`` and the last one's
    /// end, or until the calling task is cancelled (which cancels every job still running).
    public func run() async {
        await withDiscardingTaskGroup { groups in
            for (stream, _) in streams {
                groups.addTask {
                    await withDiscardingTaskGroup { group in
                        for await job in stream {
                            group.addTask { await job() }
                        }
                    }
                }
            }
        }
    }
}
