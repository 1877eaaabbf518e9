import Foundation
import GatewayHost
import GatewayTestSupport
import GenesysSandbox

/// One org, its own tenant (`pb-01`, org `main`), on both sides: sandbox client/integration and tenant YAML.
struct BenchOrg: Sendable {
    let index: Int
    let rate: Int

    var tenant: String { String(format: "pb-%02d", index + 1) }
    var clientID: String { "\(tenant)-client" }
    var secret: String { "\(tenant)-secret-value" }
    var secretVariable: String { "PB_SECRET_\(index + 1)" }
    var integrationID: String { "\(tenant)-integration" }

    func sandboxOrg() -> SandboxConfiguration.Org {
        SandboxConfiguration.Org(
            id: tenant,
            clients: [.init(id: clientID, secret: secret, tokenLifetimeSeconds: 86_400, ratePerMinute: 100_000_000)],
            integrations: [.init(id: integrationID)])
    }

    /// Limiter = the offered rate; a small burst so the publisher's 10 ms ticks do not queue.
    func tenantYAML(baseURL: String) -> String {
        TenantYAML(id: tenant, orgs: [
            .init(
                name: "main", isDefault: true, baseURL: baseURL, clientID: clientID, clientSecret: .env(secretVariable),
                integrationID: integrationID, messageTypes: ["text"], rate: Double(rate), burst: 5),
        ]).text
    }

    /// Queue message `id` (sent on as `channel.messageId`), customers cycling over 20 ids.
    func message(id: String, number: Int) -> [UInt8] {
        let customer = "+1555\(100_000 + number % 20)"
        return Array(#"{"id":"\#(id)","tenantId":"\#(tenant)","org":"main","type":"text","textBody":"pipeline \#(number)","sender":{"id":"\#(customer)","idType":"Phone"},"createdAt":"2026-11-25T10:00:00Z"}"#.utf8)
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
    func item(_ k: Int, runID: String) -> (org: BenchOrg, id: String, bytes: [UInt8]) {
        let org = orgs[k % orgs.count]
        let number = k / orgs.count
        let id = "\(runID)-\(org.tenant)-\(number)"
        return (org, id, org.message(id: id, number: number))
    }
}
