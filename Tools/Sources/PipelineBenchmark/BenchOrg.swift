import Foundation
import GatewayTestSupport
import GenesysSandbox

/// One org, its own tenant (`pb-01`, org `main`), on both sides: sandbox client/integration and tenant YAML.
@dynamicMemberLookup
struct BenchOrg: Sendable {
    let index: Int
    let rate: Int
    /// The org's configured limit when it is not the offered rate (flat out: no limit worth the name).
    var limit: Double?
    private var side: SandboxTenant { SandboxTenant(prefix: "pb", index: index) }

    subscript<Value>(dynamicMember path: KeyPath<SandboxTenant, Value>) -> Value { side[keyPath: path] }

    func sandboxOrg() -> SandboxConfiguration.Org { side.sandboxOrg() }

    /// Limiter = the offered rate (unless `limit`); a small burst so the publisher's 10 ms ticks do not queue.
    func tenantYAML(baseURL: String) -> String { side.tenantYAML(baseURL: baseURL, rate: limit ?? Double(rate), burst: 5) }

    /// Queue message `id` (sent on as `channel.messageId`), customers cycling over 20 ids.
    func message(id: String, number: Int) -> [UInt8] {
        side.textMessage(id: id, customer: "+1555\(100_000 + number % 20)", text: "pipeline \(number)")
    }
}

/// The offered load: `rate` msg/s per org for `seconds`, interleaved across orgs.
struct Load: Sendable {
    let orgs: [BenchOrg]
    let rate: Int
    let seconds: Int
    let latencyMs: Int
    var total: Int { orgs.count * rate * seconds }

    /// Message `k` in publish order: org `k % orgs`, that org's number `k / orgs`.
    func item(_ k: Int, runID: String) -> LoadItem {
        let org = orgs[k % orgs.count]
        let number = k / orgs.count
        let id = "\(runID)-\(org.tenant)-\(number)"
        return LoadItem(org: org, number: number, id: id, bytes: org.message(id: id, number: number))
    }
}

/// One message of a ``Load``: its org, its number within the org (from 0), its id (`<runID>-<tenant>-<number>`, sent
/// on as `channel.messageId`) and its queued bytes.
struct LoadItem: Sendable {
    let org: BenchOrg
    let number: Int
    let id: String
    let bytes: [UInt8]
}
