import Foundation
import GatewayTestSupport
import Hummingbird
import Logging
import Testing
@testable import GatewayCore
@testable import AMQPTransport
@testable import GatewayYAML
@testable import PluginHost
@testable import OrgServices
@testable import GatewayDelivery
@testable import Telemetry
@testable import HTTPAPI
@testable import GatewayApp
@testable import Broker

/// Keeps `docs/openapi.yaml` in step with the router: every route the real router serves is documented with
/// the same method and path, and every documented operation is served. The router is built by
/// `GatewayAPI.makeRouter()` from real but idle parts — no tenants, a Genesys client that is never called, an
/// AMQP client that never connects — with every optional service set (metrics, webhook, reloader, admin key),
/// so every route the gateway can register is registered. The document is read with the gateway's own libyaml
/// parser.
@Suite struct OpenAPIDocumentTests {
    /// One operation: `POST /v1/conversations/{id}/close`.
    struct Route: Hashable, Comparable, CustomStringConvertible {
        var method: String
        var path: String

        var description: String { "\(method) \(path)" }

        static func < (lhs: Route, rhs: Route) -> Bool { (lhs.path, lhs.method) < (rhs.path, rhs.method) }
    }

    static let operationKeys: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let documentURL = repository.appendingPathComponent("docs/openapi.yaml")

    // MARK: - The two sides

    /// What the router serves, paths in OpenAPI form (`:id` → `{id}`).
    static func servedRoutes() -> Set<Route> {
        let router = GatewayAPI(services: IdleServices.make()).makeRouter()
        return Set(router.routes.map { Route(method: $0.method.rawValue.uppercased(), path: openAPIPath($0.path.description)) })
    }

    /// `/v1/conversations/:id` → `/v1/conversations/{id}`.
    static func openAPIPath(_ routerPath: String) -> String {
        "/" + routerPath.split(separator: "/").map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
    }

    static func document() throws -> YAMLNode {
        let bytes = try [UInt8](Data(contentsOf: documentURL))
        // The document is larger and deeper than a tenant file; the parser's other guards (no aliases, no duplicate
        // keys) stay on.
        return try YAMLParser.parse(bytes, limits: YAMLLimits(maxBytes: 2 * 1024 * 1024, maxDepth: 64, maxNodes: 200_000))
    }

    /// Every documented operation with its path item and operation object.
    static func documentedOperations(_ root: YAMLNode) throws -> [(route: Route, pathItem: YAMLNode, operation: YAMLNode)] {
        let paths = try #require(root["paths"], "docs/openapi.yaml has no 'paths'")
        var operations: [(Route, YAMLNode, YAMLNode)] = []
        for (path, item) in paths.pairs {
            for (key, operation) in item.pairs where operationKeys.contains(key) {
                operations.append((Route(method: key.uppercased(), path: path), item, operation))
            }
        }
        return operations
    }

    // MARK: - Routes ↔ document

    @Test func everyServedRouteIsDocumented() throws {
        let documented = Set(try Self.documentedOperations(try Self.document()).map(\.route))
        let served = Self.servedRoutes()
        #expect(served.count >= 14, "the router serves only \(served.sorted()): is an optional service missing from the fixture?")
        for route in served.subtracting(documented).sorted() {
            Issue.record("\(route) is served by the router but not documented in docs/openapi.yaml")
        }
    }

    @Test func everyDocumentedOperationIsServed() throws {
        let served = Self.servedRoutes()
        let documented = try Self.documentedOperations(try Self.document()).map(\.route)
        #expect(!documented.isEmpty, "docs/openapi.yaml documents no operation")
        for route in Set(documented).subtracting(served).sorted() {
            Issue.record("\(route) is documented in docs/openapi.yaml but the router does not serve it")
        }
    }

    // MARK: - The document itself

    @Test func operationsHaveUniqueIdsAndResponses() throws {
        var seen: [String: Route] = [:]
        for (route, _, operation) in try Self.documentedOperations(try Self.document()) {
            let id = operation["operationId"]?.text ?? ""
            #expect(!id.isEmpty, "\(route) has no operationId")
            if let first = seen[id] {
                Issue.record("operationId '\(id)' is used by both \(first) and \(route)")
            } else if !id.isEmpty {
                seen[id] = route
            }
            #expect(!(operation["responses"]?.pairs.isEmpty ?? true), "\(route) documents no response")
        }
    }

    @Test func pathParametersAreDeclared() throws {
        let root = try Self.document()
        for (route, pathItem, operation) in try Self.documentedOperations(root) {
            let inPath = Set(route.path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }
                .map { String($0.dropFirst().dropLast()) })
            let parameters = (pathItem["parameters"]?.items ?? []) + (operation["parameters"]?.items ?? [])
            var declared: Set<String> = []
            for parameter in parameters {
                let resolved = try Self.resolve(parameter, in: root)
                guard resolved["in"]?.text == "path", let name = resolved["name"]?.text else { continue }
                #expect(resolved["required"]?.text == "true", "\(route): path parameter '\(name)' must say required: true")
                declared.insert(name)
            }
            for name in inPath.sorted() {
                #expect(declared.contains(name), "\(route): path parameter '{\(name)}' is not declared")
            }
            for name in declared.subtracting(inPath).sorted() {
                Issue.record("\(route): declares path parameter '\(name)', which is not in the path")
            }
        }
    }

    /// The key each part of the API asks for: /v1 a tenant key, /admin the admin key, /metrics the admin key or
    /// none (the operations listener, `--public-metrics`), the webhook Genesys' signature, /health and /ready nothing.
    @Test func securityMatchesTheMiddleware() throws {
        for (route, _, operation) in try Self.documentedOperations(try Self.document()) {
            let alternatives = operation["security"]?.items ?? []
            let schemes = Set(alternatives.flatMap { $0.pairs.map(\.key) })
            let expected: Set<String>
            if route.path.hasPrefix("/v1/") {
                expected = ["tenantKey"]
            } else if route.path.hasPrefix("/admin/") {
                expected = ["adminKey"]
            } else if route.path == "/metrics" {
                expected = ["adminKey"]
                #expect(alternatives.contains { $0.pairs.isEmpty }, "/metrics is open on the operations listener: document '- {}' beside the admin key")
            } else if route.path.hasPrefix("/webhooks/") {
                expected = ["genesysSignature"]
            } else {
                expected = []
            }
            #expect(operation["security"] != nil, "\(route) does not state its security (use 'security: []' for none)")
            #expect(schemes == expected, "\(route) documents security \(schemes.sorted()), expected \(expected.sorted())")
        }
    }

    /// The server replaces an `X-Request-Id` it cannot use instead of refusing the request, so the document may not
    /// constrain the header: a client following a stricter schema would be told a request fails that succeeds.
    @Test func requestIdHeaderIsNotConstrainedBeyondWhatTheServerRefuses() throws {
        let root = try Self.document()
        let schema = try #require(Self.lookUp("#/components/parameters/RequestId/schema", in: root))
        #expect(schema["type"]?.text == "string")
        for keyword in ["minLength", "maxLength", "pattern", "format", "enum", "const"] {
            #expect(schema[keyword] == nil, "X-Request-Id's schema says '\(keyword)', but the server takes any value")
        }
    }

    /// The conversation routes treat an empty `queueId`, `toAddress` or `text` as missing (400), so the document must
    /// not offer the empty string as valid.
    @Test func conversationFieldsTheServerRequiresNonEmptyHaveMinLength() throws {
        let root = try Self.document()
        let properties = try #require(Self.lookUp("#/components/schemas/CreateConversationRequest/properties", in: root))
        for field in ["queueId", "toAddress", "text"] {
            #expect(properties[field]?["minLength"]?.text == "1", "CreateConversationRequest.\(field) needs minLength: 1")
        }
    }

    /// An outbound conversation's messenger type goes to Genesys as it is: the document offers exactly the values
    /// Genesys' own model (the sandbox's copy of it) allows, so a valid request is not refused by Genesys.
    @Test func messengerTypesAreGenesysOwn() throws {
        let models = Self.repository.appendingPathComponent("Sources/GenesysSandbox/Resources/open_messaging_models.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: models)) as? [String: Any]
        let definition = (json?["definitions"] as? [String: Any])?["CreateOutboundMessagingConversationRequest"] as? [String: Any]
        let property = (definition?["properties"] as? [String: Any])?["toAddressMessengerType"] as? [String: Any]
        let genesys = try #require(property?["enum"] as? [String])
        let root = try Self.document()
        let documented = try #require(
            Self.lookUp("#/components/schemas/CreateConversationRequest/properties/toAddressMessengerType/enum", in: root))
        #expect(Set(documented.items.compactMap(\.text)) == Set(genesys))
    }

    /// Every `$ref` points somewhere: into the document (`#/components/...`) or at a file next to it.
    @Test func referencesResolve() throws {
        let root = try Self.document()
        var references: [(String, SourceMark)] = []
        Self.collectReferences(root, into: &references)
        #expect(!references.isEmpty)
        for (reference, mark) in references {
            if reference.hasPrefix("#/") {
                #expect(Self.lookUp(reference, in: root) != nil, "docs/openapi.yaml:\(mark): '\(reference)' points nowhere")
            } else {
                let file = String(reference.split(separator: "#", maxSplits: 1).first ?? "")
                let url = Self.documentURL.deletingLastPathComponent().appendingPathComponent(file)
                #expect(FileManager.default.fileExists(atPath: url.path), "docs/openapi.yaml:\(mark): '\(reference)' names no file")
            }
        }
    }

    // MARK: - YAML helpers

    static func resolve(_ node: YAMLNode, in root: YAMLNode) throws -> YAMLNode {
        guard let reference = node["$ref"]?.text else { return node }
        return try #require(lookUp(reference, in: root), "'\(reference)' points nowhere")
    }

    /// A local JSON pointer (`#/components/parameters/Org`).
    static func lookUp(_ pointer: String, in root: YAMLNode) -> YAMLNode? {
        var node: YAMLNode? = root
        for token in pointer.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            node = node?[key]
        }
        return node
    }

    static func collectReferences(_ node: YAMLNode, into references: inout [(String, SourceMark)]) {
        switch node {
        case .scalar:
            return
        case .sequence(let items, _):
            for item in items { collectReferences(item, into: &references) }
        case .mapping(let pairs, _):
            for pair in pairs {
                if pair.key.name == "$ref", let text = pair.value.text {
                    references.append((text, pair.key.mark))
                } else {
                    collectReferences(pair.value, into: &references)
                }
            }
        }
    }
}

extension YAMLNode {
    fileprivate subscript(key: String) -> YAMLNode? {
        guard case .mapping(let pairs, _) = self else { return nil }
        return pairs.first { $0.key.name == key }?.value
    }

    fileprivate var pairs: [(key: String, value: YAMLNode)] {
        guard case .mapping(let pairs, _) = self else { return [] }
        return pairs.map { ($0.key.name, $0.value) }
    }

    fileprivate var items: [YAMLNode] {
        guard case .sequence(let items, _) = self else { return [] }
        return items
    }

    fileprivate var text: String? {
        guard case .scalar(let text, _, _) = self else { return nil }
        return text
    }
}

/// The API's services, real but idle: nothing here talks to Genesys or RabbitMQ unless a request makes it.
private enum IdleServices {
    struct NotCalled: Error {}

    struct NoReload: ConfigReloading {
        func reload() async -> ReloadReport { ReloadReport(trigger: .request) }
    }

    static func make() -> APIServices {
        var logger = Logger(label: "openapi-test")
        logger.logLevel = .critical
        let clock = ManualClock()
        let registry = TenantRegistry(tenants: [], plugins: PluginRegistry())
        let delivery = DeliveryService(
            registry: registry, http: ScriptedHTTPClient { _ in throw NotCalled() }, clock: clock, logger: logger)
        let amqp = AMQPClient(settings: .init(url: "amqp://guest:guest@127.0.0.1:1/", prefetch: 0), logger: logger)
        let statuses = MessageStatusStore()
        // Nothing here reaches a webhook's late confirm or a failed receipt: the jobs are never run.
        let jobs = MessageJobs()
        let webhook = WebhookHandler(
            registry: registry, publisher: InboundPublisher(client: amqp, exchange: QueueTopology().inboundExchange),
            deduplicator: WebhookDeduplicator(clock: clock),
            undelivered: FailedReceiptReporter(delivery: delivery, jobs: jobs, clock: clock, logger: logger), jobs: jobs, clock: clock,
            logger: logger)
        return APIServices(
            registry: registry, delivery: delivery, amqp: amqp, status: statuses, statuses: statuses,
            conversations: ConversationDirectory(), metrics: GatewayMetrics(tenants: { registry }), reloader: NoReload(),
            webhook: webhook, adminKey: Secret("openapi-test-admin-key"), logger: logger)
    }
}
