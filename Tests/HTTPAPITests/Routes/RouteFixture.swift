import BrokerTesting
import Foundation
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import Broker
@testable import GatewayConfig
@testable import GatewayCore
@testable import GatewayDelivery
@testable import HTTPAPI
@testable import OrgServices
import Telemetry

/// The gateway's HTTP API in process, wired as `run` wires it (`GatewayServices`) but with doubles at the edges:
/// HummingbirdTesting's router mode instead of a socket, ``InMemoryBroker`` instead of RabbitMQ (nothing consumes
/// its ingress queue, so what is published stays there), ``ScriptedGenesys`` instead of Genesys, and a
/// ``ManualClock`` that no test moves unless time matters to it. The tenants' files, the shipped plugins, the
/// registry, delivery core, status store, conversation directory, webhook handler and metrics are the real ones.
struct RouteFixture: Sendable {
    static let adminKey = "test-admin-key-0001"

    let orgs: [TestOrg]
    let broker: InMemoryBroker
    let genesys: ScriptedGenesys
    let http: ScriptedHTTPClient
    let clock: ManualClock
    let registry: TenantRegistry
    let api: GatewayAPI
    private let folders: Folders

    /// - Parameters:
    ///   - orgs: the tenants' orgs; the first of each tenant is its default, and its tenant file says `enabled: false`
    ///     when any of them has `tenantEnabled` false.
    ///   - maxLimiterWait: how long an API request waits for its org's rate limiter before it is answered 429.
    init(orgs: [TestOrg] = TestOrg.standard, maxLimiterWait: Duration = .seconds(2)) throws {
        let logger = Logger(label: "route-tests") { _ in SwiftLogNoOpLogHandler() }
        let configs = TemporaryDirectory()
        var environment: [String: String] = [:]
        var tenants: [String] = []
        for org in orgs where !tenants.contains(org.tenant) { tenants.append(org.tenant) }
        for tenant in tenants {
            let tenantOrgs = orgs.filter { $0.tenant == tenant }
            configs.write("\(tenant).yaml", TenantYAML(
                id: tenant, enabled: tenantOrgs.allSatisfy(\.tenantEnabled), apiKeys: [.env(tenantOrgs[0].apiKeyVariable)],
                orgs: tenantOrgs.enumerated().map { index, org in org.yaml(isDefault: index == 0) }
            ).text)
            for org in tenantOrgs {
                environment[org.secretVariable] = "\(org.clientID)-secret"
                environment[org.apiKeyVariable] = org.apiKey
                environment[org.webhookSecretVariable] = org.webhookSecret
            }
        }
        let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
        let secrets = SecretResolver(environment: environment)
        let configuration = GatewayConfiguration.load(
            configDirectory: configs.path, pluginsDirectory: plugins.path, secrets: secrets, genesysHosts: .testHosts, logger: logger)
        guard configuration.isValid else {
            throw FixtureError(description: "route test config invalid: \(configuration.configErrors) \(configuration.pluginErrors)")
        }
        let genesys = ScriptedGenesys()
        let http = ScriptedHTTPClient { request in try await genesys.answer(request) }
        let clock = ManualClock()
        let broker = InMemoryBroker(ingressPrefetch: 0)
        let registry = try TenantRegistry.build(configuration: configuration, secrets: secrets, http: http, clock: clock, logger: logger)
        let delivery = DeliveryService(registry: registry, http: http, clock: clock, logger: logger)
        let statuses = MessageStatusStore()
        // Nothing here reaches a webhook's late confirm or a failed receipt: the jobs are never run.
        let jobs = MessageJobs()
        let webhook = WebhookHandler(
            registry: registry, publisher: InboundPublisher(client: broker, exchange: broker.topology.inboundExchange),
            deduplicator: WebhookDeduplicator(clock: clock),
            undelivered: FailedReceiptReporter(delivery: delivery, jobs: jobs, clock: clock, logger: logger), jobs: jobs, clock: clock,
            logger: logger)
        var services = APIServices(
            registry: registry, delivery: delivery, amqp: broker, status: statuses, statuses: statuses,
            conversations: ConversationDirectory(), webhook: webhook, adminKey: Secret(Self.adminKey), maxLimiterWait: maxLimiterWait,
            clock: clock, logger: logger)
        // The gateway's Prometheus metrics, read from the registry at scrape time as `run` gives them to the API.
        services.metrics = GatewayMetrics(tenants: { registry })
        self.orgs = orgs
        self.broker = broker
        self.genesys = genesys
        self.http = http
        self.clock = clock
        self.registry = registry
        api = GatewayAPI(services: services)
        folders = Folders(all: [configs, plugins])
    }

    /// Runs `body` against the routes `listener` serves, in process.
    func run<Value: Sendable>(
        _ listener: APIListener = .single(openMetrics: false), _ body: @escaping @Sendable (RouteClient) async throws -> Value
    ) async throws -> Value {
        try await Application(router: api.makeRouter(for: listener)).test(.router) { client in
            try await body(RouteClient(client: client))
        }
    }

    /// Genesys' requests other than logins, in order.
    var genesysCalls: [GatewayCore.HTTPRequest] { http.requests.filter { !$0.url.hasSuffix("/oauth/token") } }

    /// A text message body in our contract.
    static func text(id: String, org: String? = nil, tenant: String? = nil, customer: String = "+15550001", text: String = "hello") -> String {
        var fields = [#""id":"\#(id)""#, #""type":"text""#, #""textBody":"\#(text)""#, #""sender":{"id":"\#(customer)","idType":"Phone"}"#]
        if let org { fields.append(#""org":"\#(org)""#) }
        if let tenant { fields.append(#""tenantId":"\#(tenant)""#) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
    }

    /// The tenant and plugin folders, removed when the last copy of the fixture goes; never touched after `init`.
    private final class Folders: @unchecked Sendable {
        let all: [TemporaryDirectory]
        init(all: [TemporaryDirectory]) { self.all = all }
    }
}

/// Calls the in-process API the way the integration tests' `APIHarness.call` calls the real one.
struct RouteClient: Sendable {
    let client: any TestClientProtocol

    /// One request: `key` as `Authorization: Bearer`, `json` as an `application/json` body.
    func call(_ method: String, _ path: String, key: String? = nil, json: String? = nil, headers: [(String, String)] = []) async throws -> RouteAnswer {
        var fields = HTTPFields()
        for (name, value) in headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        if let key { fields[.authorization] = "Bearer \(key)" }
        if json != nil { fields[.contentType] = "application/json" }
        let response = try await client.execute(
            uri: path, method: HTTPTypes.HTTPRequest.Method(method)!, headers: fields, body: json.map { ByteBuffer(string: $0) })
        return RouteAnswer(status: Int(response.status.code), headers: response.headers, body: Array(buffer: response.body))
    }
}

/// An answer from the API, with its body parsed when it is JSON.
struct RouteAnswer: Sendable {
    var status: Int
    var headers: HTTPFields
    var body: [UInt8]

    var object: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]) ?? [:] }
    /// The error body's `error` object.
    var error: [String: Any] { object["error"] as? [String: Any] ?? [:] }
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
}
