import GatewayTestSupport
import Testing

@testable import OrgServices

/// The store's bounds (`--status-history-max-bytes`, `-max-age`, `-max-messages`): the message whose last event is
/// oldest goes first, a story within them reads whole, and what the store holds is what the gauges show.
@Suite struct MessageStatusBoundsTests {
    func event(_ status: StatusEvent.Status, _ id: String) -> StatusEvent {
        StatusEvent(status: status, messageId: id, tenantId: "acme", org: "us")
    }

    /// A message's usual story: accepted, then sent.
    func deliver(_ ids: some Sequence<String>, to store: MessageStatusStore) async {
        for id in ids {
            await store.publish(event(.accepted, id))
            await store.publish(event(.sent, id))
        }
    }

    /// The ids among `ids` whose story the store still tells.
    func kept(_ ids: [String], in store: MessageStatusStore) async -> [String] {
        var found: [String] = []
        for id in ids where await store.entry(for: id, tenantID: "acme") != nil { found.append(id) }
        return found
    }

    @Test func theByteBoundForgetsTheMessageWithTheOldestLastEventFirst() async {
        let ids = (1...4).map { "m-\($0)" }
        // What three usual stories cost, counted by a store with room to spare (the ids are equally long).
        let reference = MessageStatusStore()
        await deliver(ids.prefix(3), to: reference)
        let three = await reference.holding().bytes

        let store = MessageStatusStore(limits: StatusHistoryLimits(maxBytes: three))
        await deliver(ids.prefix(4), to: store)
        #expect(await kept(ids, in: store) == ["m-2", "m-3", "m-4"])
        #expect(await store.holding() == .init(messages: 3, bytes: three))
        // m-2 is retried: its last event is now the newest, so m-3 makes room for its event.
        await store.publish(event(.retrying, "m-2"))
        #expect(await kept(ids, in: store) == ["m-2", "m-4"])
        #expect(await store.holding().bytes <= three)
    }

    @Test func aStoryIsForgottenOnceItsLastEventIsOlderThanTheAgeBound() async {
        let clock = ManualClock()
        let store = MessageStatusStore(limits: StatusHistoryLimits(maxAge: .seconds(60)), clock: clock)
        await store.publish(event(.accepted, "early"))
        clock.advance(by: .seconds(30))
        await store.publish(event(.accepted, "later"))
        clock.advance(by: .seconds(20))
        await store.publish(event(.sent, "early"))  // at 50 s: its age starts again
        clock.advance(by: .seconds(20))
        #expect(await kept(["early", "later"], in: store) == ["early", "later"])
        clock.advance(by: .seconds(20))  // 90 s: `later`'s last event is 60 s old
        #expect(await kept(["early", "later"], in: store) == ["early"])
        #expect(await store.entry(for: "early", tenantID: "acme")?.history.map(\.status) == [.accepted])
        clock.advance(by: .seconds(20))
        // Nothing published since: reading what it holds forgets what has aged, so an idle gateway's gauges fall.
        #expect(await store.holding() == .init(messages: 0, bytes: 0))
    }

    @Test func theCountBoundForgetsTheMessageWithTheOldestLastEventFirst() async {
        let store = MessageStatusStore(limits: StatusHistoryLimits(maxMessages: 2))
        await store.publish(event(.accepted, "a"))
        await store.publish(event(.accepted, "b"))
        await store.publish(event(.sent, "a"))
        await store.publish(event(.accepted, "c"))
        #expect(await kept(["a", "b", "c"], in: store) == ["a", "c"])
        #expect(await store.holding().messages == 2)
    }

    /// A message retried often keeps its newest events, and once its history is full each event's bytes replace
    /// those of the one it lets go.
    @Test func aLongStoryWithinTheBoundsReadsWholeAndStopsGrowing() async {
        let store = MessageStatusStore()
        await deliver((1...100).map { "other-\($0)" }, to: store)
        func retry(_ attempts: ClosedRange<Int>) async {
            for attempt in attempts {
                var retrying = event(.retrying, "busy")
                retrying.attempt = attempt
                await store.publish(retrying)
            }
        }
        // Attempts of two digits from here on, so every kept event is as long as the one it replaces.
        await retry(1...30)
        let full = await store.holding()
        await retry(31...40)
        // Only the store's order grows, a slot per event, until the older messages' slots before them are passed.
        #expect(await store.holding().bytes - full.bytes == 10 * StatusHistoryCost.slot)
        let entry = await store.entry(for: "busy", tenantID: "acme")
        #expect(entry?.latest.attempt == 40)
        #expect(entry?.history.compactMap(\.attempt) == Array(20...39))
        #expect(await kept((1...100).map { "other-\($0)" }, in: store).count == 100)
        #expect(full.messages == 101)
    }
}
