import Synchronization

/// Waits for a task's value up to a time limit, leaving the task running when the limit passes.
///
/// A task group would not do: it waits for all its children at the end, and a broker publish does not stop
/// when cancelled, so the bound would not hold.
package enum BoundedWait {
    /// The value of `task`, or nil when `limit` passes first (measured on `clock`).
    package static func value<T: Sendable>(of task: Task<T, Never>, within limit: Duration, clock: any MonotonicClock) async -> T? {
        let once = ResumeOnce<T?>()
        return await withCheckedContinuation { continuation in
            once.set(continuation)
            let timer = Task {
                do {
                    try await clock.sleep(for: limit)
                    once.resume(returning: nil)
                } catch {
                    // Cancelled: the task finished first.
                }
            }
            Task {
                let value = await task.value
                timer.cancel()
                once.resume(returning: value)
            }
        }
    }

    /// A continuation resumed by whichever side comes first; later calls do nothing.
    private final class ResumeOnce<Value: Sendable>: Sendable {
        private let continuation = Mutex<CheckedContinuation<Value, Never>?>(nil)

        func set(_ continuation: CheckedContinuation<Value, Never>) {
            self.continuation.withLock { $0 = continuation }
        }

        func resume(returning value: Value) {
            continuation.withLock { $0.take() }?.resume(returning: value)
        }
    }
}
