import CGatewayShims
import Foundation

/// glibc's allocator gives each thread that contends for memory an arena of its own, up to eight per core, and a
/// freed block goes back to its arena, not to the system. The gateway's tasks hop between the cooperative pool,
/// NIO's, libcurl's and rabbitmq-c's threads, so each arena keeps the free space of its own peaks: under a steady
/// load the resident memory crept up with the default and far less with two arenas, at the same CPU per message
/// (docs/benchmarks.md, "Soak"). An operator's own `MALLOC_ARENA_MAX` wins.
enum MallocArenas {
    static let count: Int32 = 2

    /// Call first thing in `main`, before threads allocate.
    static func limit() {
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        _ = cgs_limit_malloc_arenas(count)
    }
}
