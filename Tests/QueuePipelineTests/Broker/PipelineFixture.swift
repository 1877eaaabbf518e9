import BrokerTesting
import Foundation
import GatewayTestSupport
import Logging
import Synchronization
@testable import Broker
@testable import GatewayConfig
@testable import GatewayCore
@testable import GatewayDelivery
@testable import OrgServices
@testable import QueuePipeline

/// The queue pipeline on the in-memory broker: tenant `acme`, org `main` (1,000 msg/s, so no message waits for
/// its rate), Genesys scripted, a manual clock. Nothing leaves the process and nothing sleeps.
struct PipelineFixture {
    static let org = ScriptedTenant.org

    let clock = ManualClock()
    let broker: InMemoryBroker
    let http: ScriptedHTTPClient
    let registry: TenantRegistry
    let delivery: DeliveryService
    let statuses = MessageStatusStore()
    let logger = Logger(label: "pipeline-tests") { _ in SwiftLogNoOpLogHandler() }
    private let tenant: ScriptedTenant

    /// - Parameters:
    ///   - publishers: tenant `acme`'s `publishers` (the broker's own connection publishes as `gateway`).
    ///   - genesys: Genesys' answer to each message request, by the message's text (`textBody`).
    init(
        maxAttempts: Int = 3, ingressPrefetch: Int = 0, publishers: [String]? = nil,
        genesys: @escaping @Sendable (_ text: String) async -> Int = { _ in 200 }
    ) throws {
        broker = InMemoryBroker(ingressPrefetch: ingressPrefetch)
        http = ScriptedHTTPClient { request in
            if request.url.hasSuffix("/oauth/token") {
                return HTTPResponse(status: 200, body: Array(#"{"access_token":"t","token_type":"bearer","expires_in":86400}"#.utf8))
            }
            let status = await genesys(Self.text(of: request))
            let body = status == 200 ? #"{"id":"g-1","conversationId":"c-1"}"# : #"{"code":"status.\#(status)"}"#
            return HTTPResponse(status: status, body: Array(body.utf8))
        }
        tenant = try ScriptedTenant(
            http: http, clock: clock, rate: 1000, burst: 1000, retry: .init(maxAttempts: maxAttempts, maxRetryDurationSeconds: 600),
            publishers: publishers, logger: logger)
        registry = tenant.registry
        delivery = DeliveryService(registry: registry, http: http, clock: clock, logger: logger)
    }

    var orgQueue: String { broker.topology.orgQueue(for: Self.org) }

    func processor() -> MessageProcessor {
        MessageProcessor(
            client: broker, delivery: delivery, registry: registry, status: statuses, topology: broker.topology, clock: clock,
            logger: logger)
    }

    /// A text message of org `main`; `customer` is its conversation (the sender), `text` names it in Genesys' log.
    static func message(_ id: String, customer: String, text: String? = nil) -> [UInt8] {
        Array(#"""
            {"id":"\#(id)","tenantId":"acme","org":"main","type":"text","textBody":"\#(text ?? id)","sender":{"id":"\#(customer)","idType":"Phone"},"createdAt":"2026-11-30T10:00:00Z"}
            """#.utf8)
    }

    /// The texts Genesys was sent, in the order the requests came.
    var sentTexts: [String] { http.requests.filter { !$0.url.hasSuffix("/oauth/token") }.map(Self.text(of:)) }

    static func text(of request: HTTPRequest) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
              let text = object["text"] as? String
        else { return "" }
        return text
    }

    /// Lets other tasks run until `condition` holds, for at most 60 s of real time (nothing here waits for the
    /// manual clock; this waits only for tasks to be scheduled, which on a loaded 2-core machine running the unit
    /// lane in parallel took over 10 s once).
    func settle(until condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return await condition()
    }

    /// Runs `body` with the jobs a dispatcher or router hands its work to, run as child tasks until `body` returns.
    func withJobs(_ body: (MessageJobs) async throws -> Void) async throws {
        let jobs = MessageJobs()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await jobs.run() }
            try await body(jobs)
            group.cancelAll()
        }
    }

    /// The messages the broker acked in `queue`, in the order it acked them.
    func acked(in queue: String) -> [String] {
        broker.events.compactMap {
            guard case .acked(queue, let id) = $0 else { return nil }
            return id
        }
    }
}
