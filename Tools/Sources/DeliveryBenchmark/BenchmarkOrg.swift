import GatewayCore
import GatewayTestSupport
import GenesysSandbox

/// One org the benchmark drives: its ids on both sides (sandbox client and integration, gateway tenant
/// and org), its limiter settings, and the messages it sends.
///
/// Each org is its own tenant (`bench-01` … `bench-NN`, org `main`), so every org has its own token
/// store, rate limiter and circuit breaker, as in production.
struct BenchmarkOrg: Sendable {
    /// 0-based position, also the order the load driver interleaves orgs in.
    let index: Int
    /// Messages per second the org's limiter is configured with.
    let rate: Double
    let burst: Int

    var tenant: String { "bench-" + (index + 1 < 10 ? "0" : "") + "\(index + 1)" }
    var orgName: String { "main" }
    var clientID: String { "\(tenant)-client" }
    var secret: String { "\(tenant)-secret-value" }
    var secretVariable: String { "BENCH_SECRET_\(index + 1)" }
    var integrationID: String { "\(tenant)-integration" }
    var key: OrgKey { OrgKey(tenantID: tenant, orgName: orgName) }

    /// The sandbox's side: one Genesys org with one client and one integration.
    func sandboxOrg(tokenLifetimeSeconds: Int, ratePerMinute: Int) -> SandboxConfiguration.Org {
        SandboxConfiguration.Org(
            id: tenant,
            clients: [.init(id: clientID, secret: secret, tokenLifetimeSeconds: tokenLifetimeSeconds, ratePerMinute: ratePerMinute)],
            integrations: [.init(id: integrationID)])
    }

    /// The gateway's side: the tenant file, both base URLs pointing at the sandbox. The breaker and retry
    /// settings are the built-in defaults; the benchmark never retries.
    func tenantYAML(baseURL: String) -> String {
        TenantYAML(id: tenant, displayName: "Benchmark tenant \(index + 1)", orgs: [
            .init(
                name: orgName, isDefault: true, baseURL: baseURL, clientID: clientID, clientSecret: .env(secretVariable),
                integrationID: integrationID, messageTypes: ["text"], rate: rate, burst: burst),
        ]).text
    }

    /// The start of every measured message id of this org (warm-up ids start with `<tenant>-w`).
    var measuredIDPrefix: String { "\(tenant)-m" }

    /// Message `number` of this org: our id is `<tenant>-m<number>` (`<tenant>-w<number>` for warm-up),
    /// sent as `channel.messageId`. Customers cycle through `customers` ids, so the sandbox keeps that many
    /// open conversations per org.
    func message(_ number: Int, warmUp: Bool = false, customers: Int) -> (id: String, bytes: [UInt8]) {
        let id = warmUp ? "\(tenant)-w\(number)" : "\(measuredIDPrefix)\(number)"
        let customer = "+1555\(100_000 + number % max(1, customers))"
        let json = #"{"id":"\#(id)","tenantId":"\#(tenant)","org":"\#(orgName)","type":"text","textBody":"benchmark message \#(number)","sender":{"id":"\#(customer)","idType":"Phone"},"createdAt":"2026-11-25T10:00:00Z"}"#
        return (id, Array(json.utf8))
    }
}
