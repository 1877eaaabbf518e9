/// The bound port, handed from the server's callback to the test.
final class PortBox: Sendable {
    private let stream: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream()
    }

    func set(_ port: Int) {
        continuation.yield(port)
    }

    func wait() async -> Int {
        for await port in stream { return port }
        return 0
    }
}
