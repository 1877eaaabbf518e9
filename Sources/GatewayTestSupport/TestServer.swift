import Logging
import ServiceLifecycle

/// Runs a test's HTTP server while `body` runs, then stops it gracefully: requests still being answered (a
/// deliberately slow one whose client already gave up, say) finish first. Cancelling the server instead can
/// drop a response writer unfinished, which NIO treats as a fatal error and which then kills the test run.
public enum TestServer {
    public static func run<T: Sendable>(_ server: some Service, logger: Logger, _ body: () async throws -> T) async throws -> T {
        let group = ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }
}
