/// Counters a ``RedisClient`` keeps since it started, for metrics and benchmarks ("round trips per message").
public struct RedisClientStatistics: Sendable, Equatable {
    /// Commands answered, by a reply or an error.
    public var commands = 0
    /// Pipelines written: several commands queued during one round trip share the next one.
    public var roundTrips = 0
    /// Connections opened successfully (the first one included).
    public var connects = 0
    /// Connect attempts that failed.
    public var failedConnects = 0
}
