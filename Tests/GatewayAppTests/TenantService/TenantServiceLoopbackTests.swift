import Foundation
import GatewayTestSupport
import Testing
@testable import GatewayCore
@testable import GatewayApp

/// The tenant service end to end against a real HTTP server on loopback: tenants added, changed and removed
/// through the config directory's reload path, ETag revalidation, an outage, garbage, duplicates across the two
/// sources, and secret values over plain http. Time is a manual clock; the polls are called or woken by it.
@Suite(.serialized, .timeLimit(.minutes(1))) struct TenantServiceLoopbackTests {
    typealias Fixture = TenantServiceFixture

    @Test func tenantsAreAddedChangedAndRemovedThroughTheSameReload() async throws {
        let stub = await TenantServiceStub.start(serving: Fixture.document(Fixture.tenant("beta")))
        let fixture = try await Fixture(files: ["acme.yaml": ReloadFixture.tenant("acme")], url: stub.url)
        #expect(fixture.configuration.configErrors.isEmpty)
        #expect(fixture.registry.all.map(\.config.id) == ["acme", "beta"])
        let before = try #require(fixture.org("beta"))

        stub.serve(Fixture.document(Fixture.tenant("beta", rate: 7), Fixture.tenant("gamma")))
        guard case .changed = await fixture.poller.poll() else { throw Failure("the new document was not read") }
        let after = try #require(fixture.org("beta"))
        #expect(after.config.rateLimit.messagesPerSecond == 7)
        #expect(after.limiter as AnyObject !== before.limiter as AnyObject)
        #expect(after.tokens as AnyObject === before.tokens as AnyObject)
        #expect(after.breaker === before.breaker)
        #expect(fixture.registry.all.map(\.config.id) == ["acme", "beta", "gamma"])
        #expect(fixture.registry.tenant("gamma")?.config.source.path == "tenant-service:gamma")

        stub.serve(Fixture.document(Fixture.tenant("gamma")))
        await fixture.poller.poll()
        #expect(fixture.registry.all.map(\.config.id) == ["acme", "gamma"])
        await fixture.shutdown()
        await stub.stop()
    }

    @Test func theRunningPollerFetchesAtItsIntervalAndAnUnchangedDocumentIsAnswered304() async throws {
        let stub = await TenantServiceStub.start(serving: Fixture.document(Fixture.tenant("beta")))
        let fixture = try await Fixture(files: ["acme.yaml": ReloadFixture.tenant("acme")], url: stub.url)
        let beta = try #require(fixture.registry.tenant("beta"))
        let poller = fixture.poller
        let service = Task { try await poller.run() }
        await fixture.clock.waitForSleepers(1)

        fixture.clock.advance(by: .seconds(30))
        await fixture.clock.waitForSleepers(1)  // back asleep: the poll is done
        #expect(stub.counts == .init(requests: 2, conditional: 1, notModified: 1))
        #expect(fixture.registry.tenant("beta") === beta)

        stub.serve(Fixture.document(Fixture.tenant("beta", rate: 9)))
        fixture.clock.advance(by: .seconds(30))
        await fixture.clock.waitForSleepers(1)
        #expect(stub.counts == .init(requests: 3, conditional: 2, notModified: 1))
        #expect(fixture.org("beta")?.config.rateLimit.messagesPerSecond == 9)
        #expect(fixture.source.health.reading.fetches == [.ok: 2, .notModified: 1])
        service.cancel()
        await fixture.shutdown()
        await stub.stop()
    }

    @Test func anOutageKeepsTheLastGoodSetAndIsReportedInReadyAndMetrics() async throws {
        let stub = await TenantServiceStub.start(serving: Fixture.document(Fixture.tenant("beta")))
        let fixture = try await Fixture(files: ["acme.yaml": ReloadFixture.tenant("acme")], url: stub.url)
        let beta = try #require(fixture.registry.tenant("beta"))
        #expect(fixture.source.health.problem == nil)

        await stub.stop()
        fixture.clock.advance(by: .seconds(30))
        guard case .failed(let error) = await fixture.poller.poll() else { throw Failure("a stopped service answered") }
        #expect(error.kind == .unreachable)
        #expect(fixture.registry.tenant("beta") === beta)
        fixture.clock.advance(by: .seconds(45))
        let problem = try #require(fixture.source.health.problem)
        #expect(problem.hasPrefix("tenant service failing for 45 s (no answer"))
        #expect(problem.hasSuffix("its last good tenant set stays in force"))

        // A reload for another reason (a file changed) keeps the service's tenants too.
        fixture.configs.write("acme.yaml", ReloadFixture.tenant("acme", rate: 3))
        let report = await fixture.reloader.reload()
        #expect(report.tenantsUpdated == ["acme"] && report.tenantsRemoved.isEmpty)
        #expect(fixture.registry.tenant("beta") === beta)

        let metrics = try PrometheusExposition(parsing: await fixture.metrics.exposition())
        #expect(metrics.value("genesys_gateway_tenant_service_fetches_total", ["result": "ok"]) == 1)
        #expect(metrics.value("genesys_gateway_tenant_service_fetches_total", ["result": "failed"]) == 1)
        #expect(metrics.value("genesys_gateway_tenant_service_up", [:]) == 0)
        #expect(metrics.value("genesys_gateway_tenant_service_last_success_age_seconds", [:]) == 75)
        await fixture.shutdown()
    }

    @Test func garbageAndATenantFailingValidationAreRefusedAndTheLastGoodVersionsStay() async throws {
        let stub = await TenantServiceStub.start(serving: Fixture.document(Fixture.tenant("beta")))
        let fixture = try await Fixture(files: ["acme.yaml": ReloadFixture.tenant("acme")], url: stub.url)
        let beta = try #require(fixture.registry.tenant("beta"))

        stub.serve("<html>502 Bad Gateway</html>")
        guard case .failed(let garbage) = await fixture.poller.poll() else { throw Failure("garbage was taken") }
        #expect(garbage.kind == .invalidDocument && garbage.message == "the answer is not valid JSON")
        #expect(fixture.registry.tenant("beta") === beta)
        #expect(fixture.source.health.problem != nil)

        stub.serve(Fixture.document(Fixture.tenant("beta", rate: 0), Fixture.tenant("gamma")))
        await fixture.poller.poll()
        #expect(fixture.source.health.problem == nil)
        #expect(fixture.registry.tenant("beta") === beta)
        #expect(fixture.registry.tenant("gamma") != nil)
        let report = await fixture.reloader.reload()
        #expect(report.failedFiles == [ReloadReport.FailedFile(
            path: "tenant-service:beta",
            errors: [
                "tenant-service:beta:orgs[0].rateLimit.messagesPerSecond: 'messagesPerSecond' in orgs[0] rateLimit must be greater than 0 and at most 100000, got 0"
            ],
            keptTenantId: "beta")])
        let metrics = try PrometheusExposition(parsing: await fixture.metrics.exposition())
        #expect(metrics.value("genesys_gateway_tenant_service_fetches_total", ["result": "invalid"]) == 1)
        await fixture.shutdown()
        await stub.stop()
    }

    @Test func aTenantIdInBothSourcesIsRefusedNamingBothAndTheRunningOneStays() async throws {
        let stub = await TenantServiceStub.start(serving: Fixture.document(Fixture.tenant("acme", rate: 1), Fixture.tenant("beta")))
        let fixture = try await Fixture(files: ["acme.yaml": ReloadFixture.tenant("acme")], url: stub.url)
        let file = fixture.configs.path + "/acme.yaml"
        // At start the file's tenant runs and the service's is refused.
        #expect(fixture.configuration.configErrors.map(\.description) == [
            "tenant-service:acme: duplicate tenant id 'acme': already defined in \(file)"
        ])
        #expect(fixture.registry.tenant("acme")?.config.source.path == file)

        // Later the one already running stays, whichever source it came from.
        fixture.configs.write("beta.yaml", ReloadFixture.tenant("beta"))
        let report = await fixture.reloader.reload()
        #expect(Set(report.failedFiles.map(\.errors)) == [
            ["tenant-service:acme: duplicate tenant id 'acme': already defined in \(file)"],
            ["\(fixture.configs.path)/beta.yaml:1:5: duplicate tenant id 'beta': already defined in tenant-service:beta"],
        ])
        #expect(fixture.registry.tenant("acme")?.config.source.path == file)
        #expect(fixture.registry.tenant("beta")?.config.source.path == "tenant-service:beta")
        await fixture.shutdown()
        await stub.stop()
    }

    /// Issue 25: the service's secrets come as values; a reference is refused unless the gateway runs with
    /// `--tenant-service-allow-references`, and the refusal never shows a value.
    @Test func theServicesSecretsAreValuesAndItsReferencesNeedTheOperatorsConsent() async throws {
        let byValue = Fixture.document(
            Fixture.tenant("beta", clientSecret: "hunter2-value").replacingOccurrences(of: "\"env:KEY_BETA\"", with: "\"beta-api-key-value\""))
        let local = await TenantServiceStub.start(serving: byValue)
        let accepted = try await Fixture(
            files: ["acme.yaml": ReloadFixture.tenant("acme")], url: local.url, token: .environment("SERVICE_TOKEN"), allowsReferences: false)
        #expect(accepted.configuration.configErrors.isEmpty)
        #expect(accepted.org("beta")?.config.clientSecret == .inline(Secret("hunter2-value")))
        #expect(local.authorization == "Bearer service-token-1")
        await accepted.shutdown()
        await local.stop()

        let byReference = await TenantServiceStub.start(serving: Fixture.document(Fixture.tenant("beta", clientSecret: "env:SECRET")))
        let refused = try await Fixture(files: ["acme.yaml": ReloadFixture.tenant("acme")], url: byReference.url, allowsReferences: false)
        let errors = refused.configuration.configErrors.map(\.description)
        #expect(errors.contains { $0.hasPrefix("tenant-service:beta:orgs[0].clientSecret: 'clientSecret' in orgs[0] must be a value, not an env: or file: reference") })
        #expect(refused.registry.tenant("beta") == nil)
        await refused.shutdown()
        await byReference.stop()
    }

    private struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
