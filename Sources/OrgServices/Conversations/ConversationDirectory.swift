import Foundation
public import GatewayCore

/// Who owns a conversation, as the API's cross-tenant check asks: this process's ``ConversationDirectory``,
/// or in shared mode the record all replicas share (``SharedConversationDirectory``).
public protocol ConversationOwnership: StatusSink {
    func record(_ conversationID: String, owner: OrgKey) async
    func owner(of conversationID: String) async -> OrgKey?
    /// Why owners cannot be kept now, or nil.
    var writeProblem: String? { get async }
}

/// Which org each conversation the gateway has seen belongs to.
///
/// Genesys already scopes conversations to the org whose token asks, but two tenants may share one Genesys
/// org (with the same or different OAuth clients); this record lets the API refuse a conversation it knows
/// belongs to another tenant without asking Genesys at all. Fed by conversations created through the API and
/// by every `sent` status event. Bounded: the oldest entries go first.
///
/// With a file it survives restarts (an append-only record, rewritten at twice `capacity` lines): forgetting
/// an owner at a restart would let the other tenant of a shared Genesys org read the conversation.
public actor ConversationDirectory: ConversationOwnership {
    private var owners: BoundedDictionary<String, OrgKey>
    private let file: AppendOnlyRecordFile?

    private struct Line: Codable {
        var conversation: String
        var tenant: String
        var org: String
    }

    /// In memory only (tests, and tools that never restart).
    public init(capacity: Int = 200_000) {
        owners = BoundedDictionary(capacity: capacity)
        file = nil
    }

    /// Kept in `path` across restarts; a file that exists but cannot be read stops the start.
    public init(capacity: Int = 200_000, persistingTo path: String) throws {
        owners = BoundedDictionary(capacity: capacity)
        var lines: [[UInt8]] = []
        file = try AppendOnlyRecordFile(path: path, lines: &lines)
        for line in lines {
            guard let entry = try? JSONDecoder().decode(Line.self, from: Data(line)) else { continue }
            owners[entry.conversation] = OrgKey(tenantID: entry.tenant, orgName: entry.org)
        }
    }

    public func record(_ conversationID: String, owner: OrgKey) {
        guard owners[conversationID] != owner else { return }
        owners[conversationID] = owner
        guard let file else { return }
        if let line = Self.line(conversationID, owner) { file.append(line) }
        if file.lineCount > 2 * owners.capacity {
            _ = file.rewrite(owners.oldestFirst.compactMap(Self.line))
        }
    }

    private static func line(_ conversationID: String, _ owner: OrgKey) -> [UInt8]? {
        (try? JSONEncoder().encode(Line(conversation: conversationID, tenant: owner.tenantID, org: owner.orgName))).map(Array.init)
    }

    public func owner(of conversationID: String) -> OrgKey? {
        owners[conversationID]
    }

    /// Why owners cannot be written to disk now, or nil.
    public var writeProblem: String? { file?.problem }

    public func publish(_ event: StatusEvent) {
        guard event.status == .sent, let conversation = event.conversationId else { return }
        record(conversation, owner: OrgKey(tenantID: event.tenantId, orgName: event.org))
    }
}
