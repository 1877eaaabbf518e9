import Testing
@testable import GatewayCore
@testable import OrgServices

/// Spreading org queues over replicas by rendezvous hashing.
struct OrgPlacementTests {
    static let orgs = (1...40).map { OrgKey(tenantID: "tenant-\($0)", orgName: "main") }

    @Test func everyReplicaComputesTheSameOwnersWhateverOrderItSeesTheOthersIn() {
        let one = OrgPlacement(replicas: ["gw-a", "gw-b", "gw-c"])
        let other = OrgPlacement(replicas: ["gw-c", "gw-a", "gw-b", "gw-a"])
        #expect(Self.orgs.map(one.ranking(of:)) == Self.orgs.map(other.ranking(of:)))
        // Fixed values: the weights are the same in every process (not Swift's per-process seeded Hasher).
        #expect(OrgPlacement.weight(org: "acme/us", replica: "gw-a") == OrgPlacement.weight(org: "acme/us", replica: "gw-a"))
        #expect(OrgPlacement.weight(org: "acme/us", replica: "gw-a") != OrgPlacement.weight(org: "acme/us", replica: "gw-b"))
    }

    @Test func fortyOrgsSpreadOverThreeReplicas() {
        let placement = OrgPlacement(replicas: ["gw-a", "gw-b", "gw-c"])
        let owned = Dictionary(grouping: Self.orgs) { placement.ranking(of: $0).first ?? "" }.mapValues(\.count)
        #expect(owned.keys.sorted() == ["gw-a", "gw-b", "gw-c"])
        #expect(owned.values.allSatisfy { $0 >= 8 }, "owners: \(owned)")
        // Owner and standby subscribe, the third replica does not.
        for org in Self.orgs {
            let ranking = placement.ranking(of: org)
            #expect(placement.subscribes(ranking[0], to: org) && placement.subscribes(ranking[1], to: org))
            #expect(!placement.subscribes(ranking[2], to: org))
        }
    }

    @Test func aReplicaJoiningTakesOnlyTheOrgsItWinsAndLeavingGivesBackOnlyItsOwn() {
        let three = OrgPlacement(replicas: ["gw-a", "gw-b", "gw-c"])
        let four = OrgPlacement(replicas: ["gw-a", "gw-b", "gw-c", "gw-d"])
        for org in Self.orgs {
            let before = three.ranking(of: org).first, after = four.ranking(of: org).first
            #expect(after == before || after == "gw-d", "\(org) moved from \(before ?? "-") to \(after ?? "-")")
        }
        let moved = Self.orgs.filter { four.ranking(of: $0).first == "gw-d" }.count
        #expect((4...16).contains(moved), "gw-d took \(moved) of 40")
        // gw-b leaves: its orgs go to their standby (the next in each ranking), the others stay.
        let withoutB = OrgPlacement(replicas: ["gw-a", "gw-c"])
        for org in Self.orgs {
            let ranking = three.ranking(of: org)
            #expect(withoutB.ranking(of: org).first == ranking.first { $0 != "gw-b" })
        }
    }

    @Test func aReplicaNotListedYetConsumesEverything() {
        let placement = OrgPlacement(replicas: ["gw-a", "gw-b", "gw-c"])
        #expect(Self.orgs.allSatisfy { placement.subscribes("gw-new", to: $0) })
    }
}
