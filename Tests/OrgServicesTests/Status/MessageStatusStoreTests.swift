import Testing

@testable import OrgServices

@Suite struct MessageStatusStoreTests {
    func event(_ status: StatusEvent.Status, _ id: String = "m-1", tenant: String = "acme") -> StatusEvent {
        StatusEvent(status: status, messageId: id, tenantId: tenant, org: "us")
    }

    @Test func theLatestStatusWinsAndEarlierOnesAreHistory() async {
        let store = MessageStatusStore()
        await store.publish(event(.accepted))
        await store.publish(event(.retrying))
        await store.publish(event(.sent))
        let entry = await store.entry(for: "m-1", tenantID: "acme")
        #expect(entry?.latest.status == .sent)
        #expect(entry?.history.map(\.status) == [.accepted, .retrying])
    }

    @Test func queuedReportedAfterTheConsumerStillComesFirst() async {
        let store = MessageStatusStore()
        await store.publish(event(.accepted))
        await store.publish(event(.sent))
        await store.publish(event(.queued))
        let entry = await store.entry(for: "m-1", tenantID: "acme")
        #expect(entry?.latest.status == .sent)
        #expect(entry?.history.map(\.status) == [.queued, .accepted])
    }

    @Test func anotherTenantNeverSeesTheMessage() async {
        let store = MessageStatusStore()
        await store.publish(event(.sent, tenant: "acme"))
        #expect(await store.entry(for: "m-1", tenantID: "globex") == nil)
        #expect(await store.entry(for: "m-1", tenantID: "acme") != nil)
    }

    @Test func eventsWithoutAMessageAreIgnoredAndTheOldestMessagesAreForgotten() async {
        let store = MessageStatusStore(limits: StatusHistoryLimits(maxMessages: 2))
        await store.publish(StatusEvent(status: .circuit, messageId: nil, tenantId: "acme", org: "us"))
        for id in ["a", "b", "c"] { await store.publish(event(.sent, id)) }
        #expect(await store.entry(for: "a", tenantID: "acme") == nil)
        #expect(await store.entry(for: "b", tenantID: "acme") != nil)
        #expect(await store.entry(for: "c", tenantID: "acme") != nil)
    }

    /// Events are kept as their JSON: every field comes back as published.
    @Test func eventsComeBackWithEveryFieldAsPublished() async {
        let store = MessageStatusStore()
        var retrying = event(.retrying)
        retrying.attempt = 2
        retrying.nextAttemptAt = "2026-12-01T05:00:01.000Z"
        retrying.reason = "Genesys answered 503 \"unavailable\" — é"
        retrying.genesysStatus = 503
        retrying.genesysCode = "service.unavailable"
        retrying.correlationId = "c-1"
        var sent = event(.sent)
        sent.genesysMessageId = "g-1"
        sent.conversationId = "conv-1"
        sent.possibleDuplicate = true
        await store.publish(retrying)
        await store.publish(sent)
        let entry = await store.entry(for: "m-1", tenantID: "acme")
        #expect(entry?.latest == sent)
        #expect(entry?.history == [retrying])
    }
}
