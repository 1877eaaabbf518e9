import Synchronization

/// A thread-safe list tests append to from callbacks and tasks.
public final class Collected<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])

    public init() {}

    public func append(_ item: Element) {
        items.withLock { $0.append(item) }
    }

    public var all: [Element] {
        items.withLock { $0 }
    }
}
