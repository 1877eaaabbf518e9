/// A counting semaphore for tasks: at most `limit` holders, the rest wait in arrival order.
package actor AsyncSemaphore {
    private let limit: Int
    private var holders = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    package init(limit: Int) {
        self.limit = max(limit, 1)
    }

    package func acquire() async {
        if holders < limit {
            holders += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    package func release() {
        if waiters.isEmpty {
            holders -= 1
        } else {
            waiters.removeFirst().resume()  // the slot passes straight to the next waiter
        }
    }
}
