import Foundation
import GatewayTestSupport
import Testing
@testable import AMQPTransport
@testable import Broker

/// `genesys-gateway run --tenant-service-url` as its own process, with a real RabbitMQ, the sandbox and a real
/// tenant service: a tenant only the service knows (secret values, over loopback) takes API traffic, a
/// duplicate of a file tenant is refused, and when the service stops the tenant stays, `/ready` lists the
/// problem without turning 503, and `/metrics` counts the failed fetches.
@Suite(.serialized, .timeLimit(.minutes(3))) struct TenantServiceProcessIntegrationTests {
    @Test func runServesTheServicesTenantsAndKeepsThemThroughAnOutage() async throws {
        let acme = TestOrg(tenant: "acme", name: "main")
        let umbrella = TestOrg(tenant: "umbrella", name: "main")
        let umbrellaKey = "umbrella-service-key-0001"
        let url = try BrokerProbe.url
        try await GatewayHarness.withSandbox(orgs: [acme, umbrella], logger: .quiet("tenant-service")) { setup in
            // umbrella comes from the service only, its secrets as values; acme is in both, and the file's runs.
            try FileManager.default.removeItem(atPath: setup.configDirectory + "/umbrella.yaml")
            func tenant(_ org: TestOrg, apiKey: String, clientSecret: String) -> String {
                """
                {"id": "\(org.tenant)", "apiKeys": ["\(apiKey)"], "orgs": [{"name": "\(org.name)",
                  "apiBaseURL": "\(setup.sandbox.baseURL)", "loginBaseURL": "\(setup.sandbox.baseURL)",
                  "clientId": "\(org.clientID)", "clientSecret": "\(clientSecret)", "integrationId": "\(org.integrationID)",
                  "messageTypes": ["text"]}]}
                """
            }
            let stub = await TenantServiceStub.start(serving: """
                {"tenants": [\(tenant(umbrella, apiKey: umbrellaKey, clientSecret: umbrella.secret)),
                             \(tenant(acme, apiKey: "env:\(acme.apiKeyVariable)", clientSecret: "env:\(acme.secretVariable)"))]}
                """)
            let gateway = try IsolationGatewayProcess(
                setup: setup, url: url, prefix: BrokerProbe.uniquePrefix("tenant-service"),
                // acme names its secrets by reference, which the service may do only with the operator's consent.
                extraArguments: [
                    "--tenant-service-url", stub.url, "--tenant-service-interval", "1", "--tenant-service-allow-references",
                    "--shutdown-timeout", "2",
                ])
            func send(_ id: String) async throws -> Int {
                try await gateway.call("POST", "/v1/messages", body: Array(APIHarness.text(id: id).utf8), authorization: umbrellaKey).status
            }
            do {
                #expect(await gateway.waitUntilReady(), "gateway never ready:\n\(gateway.logTail())")
                let tenants = try await gateway.call("GET", "/admin/tenants")
                let listed = try #require(
                    (try JSONSerialization.jsonObject(with: Data(tenants.body)) as? [String: Any])?["tenants"] as? [[String: Any]])
                #expect(listed.map { $0["id"] as? String } == ["acme", "umbrella"])
                #expect(listed.map { $0["source"] as? String } == [setup.configDirectory + "/acme.yaml", "tenant-service:umbrella"])
                let shown = String(decoding: tenants.body, as: UTF8.self)
                #expect(!shown.contains(umbrella.secret) && !shown.contains(umbrellaKey))
                #expect(gateway.logTail(200).contains("tenant-service:acme: duplicate tenant id 'acme': already defined in"))
                #expect(try await send("ts-before") == 200)

                await stub.stop()
                let reported = await Isolation.eventually(timeout: .seconds(20)) {
                    let ready = try? await gateway.call("GET", "/ready")
                    return ready?.status == 200 && String(decoding: ready?.body ?? [], as: UTF8.self).contains("tenant service failing")
                }
                #expect(reported, "no /ready problem:\n\(gateway.logTail())")
                let metrics = try PrometheusExposition(parsing: String(decoding: try await gateway.call("GET", "/metrics").body, as: UTF8.self))
                #expect((metrics.value("genesys_gateway_tenant_service_fetches_total", ["result": "failed"]) ?? 0) >= 1)
                #expect(metrics.value("genesys_gateway_tenant_service_up") == 0)
                #expect(try await send("ts-during-outage") == 200)
                #expect(!gateway.logTail(400).contains(umbrella.secret))
            } catch {
                await gateway.stop()
                throw error
            }
            await gateway.stop()
        }
    }

    /// Issue 30: replicas poll the tenant service on their own schedules, so a message for a tenant the service has
    /// just added could reach a replica that did not know it yet, which dead-lettered it. It waits now (in a retry
    /// tier, counted as retried under `(unknown)`) and is delivered once the service names its tenant.
    @Test func aMessageForATenantTheServiceHasNotNamedYetWaitsAndIsDeliveredOnceItIs() async throws {
        let acme = TestOrg(tenant: "acme", name: "main")
        let newco = TestOrg(tenant: "newco", name: "main")
        let url = try BrokerProbe.url
        let prefix = BrokerProbe.uniquePrefix("tenant-arrives")
        let topology = QueueTopology(prefix: prefix)
        try await GatewayHarness.withSandbox(orgs: [acme, newco], logger: .quiet("tenant-arrives")) { setup in
            try FileManager.default.removeItem(atPath: setup.configDirectory + "/newco.yaml")
            let stub = await TenantServiceStub.start(serving: #"{"tenants": []}"#)
            let gateway = try IsolationGatewayProcess(
                setup: setup, url: url, prefix: prefix,
                extraArguments: ["--tenant-service-url", stub.url, "--tenant-service-interval", "1", "--shutdown-timeout", "2"])
            let publisher = AMQPClient(settings: .init(url: url, topology: topology, prefetch: 0), logger: .quiet("publisher"))
            let connection = Task { await publisher.run() }
            func finish() async {
                publisher.stop()
                await connection.value
                await gateway.stop()
                await stub.stop()
            }
            do {
                #expect(await gateway.waitUntilReady(), "gateway never ready:\n\(gateway.logTail())")
                try await publisher.publish(AMQPMessage(routingKey: topology.outbound, body: GatewayHarness.textMessage(id: "early", org: newco)))
                try await Task.sleep(for: .seconds(3))
                let probe = BrokerProbe(url: url, topology: topology)
                #expect(try probe.readyCounts([topology.deadLetterQueue])[topology.deadLetterQueue] == 0, "dead-lettered before its tenant could arrive")
                #expect(setup.sandbox.control.received().isEmpty)

                stub.serve("""
                    {"tenants": [{"id": "newco", "orgs": [{"name": "main", "apiBaseURL": "\(setup.sandbox.baseURL)",
                      "loginBaseURL": "\(setup.sandbox.baseURL)", "clientId": "\(newco.clientID)", "clientSecret": "\(newco.secret)",
                      "integrationId": "\(newco.integrationID)", "messageTypes": ["text"]}]}]}
                    """)
                let delivered = await Isolation.eventually(timeout: .seconds(30)) {
                    setup.sandbox.control.received().compactMap(\.channelMessageId) == ["early"]
                }
                #expect(delivered, "not delivered once its tenant arrived:\n\(gateway.logTail())")
                #expect(try probe.readyCounts([topology.deadLetterQueue])[topology.deadLetterQueue] == 0)
                let metrics = try PrometheusExposition(parsing: String(decoding: try await gateway.call("GET", "/metrics").body, as: UTF8.self))
                #expect((metrics.value("genesys_gateway_messages_retried_total", ["tenant": "(unknown)", "org": "(unknown)"]) ?? 0) >= 1)
            } catch {
                await finish()
                throw error
            }
            await finish()
        }
    }
}
