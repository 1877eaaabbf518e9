/// What a replica announces in its heartbeat key: who it is, where it runs, when it last said so.
public struct ReplicaRecord: Codable, Sendable, Equatable {
    /// The replica's id (`run --replica-id`, by default `<host>-<pid>`).
    public var id: String
    public var host: String
    public var pid: Int32
    /// When the replica started, ISO 8601 UTC.
    public var startedAt: String
    /// Its last heartbeat, ISO 8601 UTC (its own wall clock).
    public var lastHeartbeat: String
    /// The orgs (`<tenant>/<org>`) whose messages it consumed within ``ReplicaDirectory/ownershipMemory``:
    /// with one active consumer per org queue, the orgs it serves. Absent in records of older versions.
    public var orgs: [String]?
    /// How many replicas the org placement it applies counts (nil before it applied one; older versions).
    public var placedAmong: Int?
    /// Orgs (`<tenant>/<org>`) it is handing over to the replica they are placed on right now.
    public var handingOver: [String]?
}
