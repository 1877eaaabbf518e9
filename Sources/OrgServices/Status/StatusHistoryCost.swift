/// The estimate behind `--status-history-max-bytes`: what ``MessageStatusStore``'s allocations cost, counted from
/// the sizes the store asks for as it takes and lets go of them. Not asked of the allocator: a chunk's usable
/// size depends on which free chunk it reused, so the same stories would count differently from run to run. A
/// budget close to what the store holds, not an exact share of the process's RSS. Sizes are those of Swift 6 on
/// 64-bit Linux with glibc's malloc, whose chunks are the request plus an 8-byte header, rounded up to 16 bytes.
/// Checked against glibc's own count (`malloc_stats`, 36,000–75,000 usual messages held): its bytes in use were
/// 8–27 % above this figure, the rest being the dictionary's and the order's storage between two growth steps.
enum StatusHistoryCost {
    /// One event: its JSON buffer (Swift's array header — object header 16, count and capacity 16 — then the
    /// bytes, copied to just their size) and its 16-byte element (status, buffer reference) in the story's history
    /// array.
    static func event(_ event: KeptStatusEvent) -> Int {
        chunk(32 + event.json.count) + 16
    }

    /// One message beyond its events: its dictionary bucket, its key's characters, and its history array's header.
    ///
    /// The bucket holds the key (a 16-byte `String`) and a ``HeldStory`` (the latest event 16, the history array
    /// 8, bytes 8, last event 16, slot 8): 72 bytes. Swift's dictionary doubles its buckets when 3/4 are taken, so
    /// it is 3/8 to 3/4 full, about 0.56 on average: 128 bytes a message. A key longer than 15 bytes (tenant,
    /// separator and message id; a UUID alone is 36) lives in a string object of its own: a 32-byte header, the
    /// characters and a NUL. The history array: its 32-byte header.
    static func message(id: String) -> Int {
        128 + chunk(32 + id.utf8.count + 1) + chunk(32)
    }

    /// One slot of the store's order: a 16-byte `String` sharing the key's storage, in an array up to twice as
    /// long as its slots in use (the passed-over half is dropped at once).
    static let slot = 32

    /// What malloc takes for a request of `bytes`.
    private static func chunk(_ bytes: Int) -> Int {
        (bytes + 8 + 15) / 16 * 16
    }
}
