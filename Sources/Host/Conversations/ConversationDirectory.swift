/// Which org each conversation the gateway has seen belongs to.
///
/// Genesys already scopes conversations to the org whose token asks, but two tenants may share one Genesys
/// org; this record lets the API refuse a conversation it knows belongs to another tenant without asking
/// Genesys at all. Fed by conversations created through the API and by every `sent` status event. Bounded:
/// the oldest entries go first.
public actor ConversationDirectory: StatusSink {
    private var owners: BoundedDictionary<String, OrgKey>

    public init(capacity: Int = 200_000) {
        owners = BoundedDictionary(capacity: capacity)
    }

    public func record(_ conversationID: String, owner: OrgKey) {
        owners[conversationID] = owner
    }

    public func owner(of conversationID: String) -> OrgKey? {
        owners[conversationID]
    }

    public func publish(_ event: StatusEvent) {
        guard event.status == .sent, let conversation = event.conversationId else { return }
        record(conversation, owner: OrgKey(tenantID: event.tenantId, orgName: event.org))
    }
}
