import Foundation
import GatewayTestSupport
import GenesysSandbox

/// One org of the fairness benchmark, its own tenant (`fb-01`, org `main`), on both sides: the sandbox's
/// client and integration, and the gateway's tenant file with the org's configured rate (burst 1).
@dynamicMemberLookup
struct FairOrg: Sendable {
    init(index: Int, rate: Double, backlog: Int, customers: Int) {
        self.index = index
        self.rate = rate
        self.backlog = backlog
        self.customers = customers
    }

    /// The same org with `count` fewer messages still to send.
    func less(_ count: Int) -> FairOrg { FairOrg(index: index, rate: rate, backlog: backlog - count, customers: customers) }

    let index: Int
    /// Configured limit, messages per second.
    let rate: Double
    /// Messages queued for it before the gateway starts.
    let backlog: Int
    /// Distinct customers its messages cycle over: the gateway sends one message per conversation at a
    /// time, so this must exceed the org's prefetch or conversations, not the rate, would bound the org.
    let customers: Int

    private var side: SandboxTenant { SandboxTenant(prefix: "fb", index: index) }

    subscript<Value>(dynamicMember path: KeyPath<SandboxTenant, Value>) -> Value { side[keyPath: path] }

    func sandboxOrg() -> SandboxConfiguration.Org { side.sandboxOrg() }

    /// - Parameter rate: the configured rate, unless given (the pre-routing gateway runs with a tiny one).
    func tenantYAML(baseURL: String, rate: Double? = nil) -> String {
        side.tenantYAML(baseURL: baseURL, rate: rate ?? self.rate, burst: 1)
    }

    /// Queue message `number` of this org (id `<run>-<tenant>-<number>`, sent on as `channel.messageId`).
    func message(runID: String, number: Int) -> [UInt8] {
        side.textMessage(id: "\(runID)-\(side.tenant)-\(number)", customer: "+1555\(200_000 + number % customers)", text: "fairness \(number)")
    }

    /// The prefetch the gateway gives this org's queue (docs/isolation.md: `ceil(rate × 0.5 s)` within
    /// 2 … perOrgInFlight). Recomputed here for the report, not read from the gateway.
    func expectedPrefetch(inFlight: Int) -> Int {
        let wanted = (rate * 0.5).rounded(.up)
        return Int(min(max(wanted, 2), Double(max(inFlight, 2))))
    }
}

/// How many messages each org gets: `wanted[i]`, unless their sum exceeds `total`; then the largest are
/// cut to one common level (water filling), so small orgs keep their full backlog and the total is `total`.
func boundedBacklogs(_ wanted: [Int], total: Int) -> [Int] {
    guard wanted.reduce(0, +) > total else { return wanted }
    var result = wanted
    var remaining = total
    var open = wanted.indices.sorted { wanted[$0] < wanted[$1] }
    while let first = open.first {
        let level = remaining / open.count
        if wanted[first] <= level {
            remaining -= wanted[first]
            open.removeFirst()
        } else {
            for index in open { result[index] = level }
            break
        }
    }
    return result
}

/// Publish order: every org's messages spread evenly over the whole sequence (message `j` of an org with
/// `n` messages sits at `(j + 0.5) / n`), so the router moves every org's backlog at the same pace and no
/// org waits behind another's block of messages in the ingress queue.
func interleavedOrder(_ orgs: [FairOrg]) -> [(org: Int, number: Int)] {
    var items: [(key: Double, org: Int, number: Int)] = []
    items.reserveCapacity(orgs.reduce(0) { $0 + $1.backlog })
    for org in orgs where org.backlog > 0 {
        for number in 0..<org.backlog {
            items.append(((Double(number) + 0.5) / Double(org.backlog), org.index, number))
        }
    }
    items.sort { $0.key != $1.key ? $0.key < $1.key : $0.org < $1.org }
    return items.map { ($0.org, $0.number) }
}
