import CGatewayShims
import Foundation
import ServiceLifecycle

/// What the gateway does about glibc's allocator so that its resident memory follows what it holds:
///
/// - **Two arenas** (``limitArenas()``, first thing in `main`). glibc gives each thread that contends for memory
///   an arena of its own, up to eight per core, and a freed block goes back to its arena. The gateway's tasks hop
///   between the cooperative pool, NIO's, libcurl's and rabbitmq-c's threads, so each arena kept the free space
///   of its own peaks. An operator's own `MALLOC_ARENA_MAX` wins.
/// - **Free memory returned once a minute** (``run()``, as Envoy's `shrink_heap` overload action does with
///   tcmalloc). A burst (a slow Genesys holding thousands of messages in flight) leaves the arenas' free pages
///   resident long after the messages are gone; `malloc_trim` hands them back to the system.
///
/// docs/benchmarks.md ("Soak") has the figures with and without each.
struct HeapReturn: Service {
    static let arenas: Int32 = 2
    static let interval = Duration.seconds(60)

    static func limitArenas() {
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        _ = cgs_limit_malloc_arenas(arenas)
    }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: Self.interval)
                    _ = cgs_release_free_heap()
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
