/// The bound port, handed from the server's callback to the test.
public final class PortBox: Sendable {
    private let stream: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream()
    }

    public func set(_ port: Int) {
        continuation.yield(port)
    }

    public func wait() async -> Int {
        for await port in stream { return port }
        return 0
    }
}
