import Foundation
import GatewayTestSupport
import Logging
import Testing
@testable import GatewayCore
@testable import OrgServices
@testable import GatewayApp

/// Which runtime objects an org keeps across a reload, compared by identity.
@Suite(.timeLimit(.minutes(1))) struct TenantRegistryReloadTests {
    @Test func anUnchangedOrgKeepsItsVeryRuntimeEvenWhenItsKeysMovedInTheFile() async throws {
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme")])
        let tenant = try #require(fixture.registry.tenant("acme"))
        let org = try #require(fixture.org("acme"))

        let untouched = await fixture.reloader.reload()
        #expect(untouched.tenantsUnchanged == ["acme"] && untouched.tenantsUpdated.isEmpty && untouched.succeeded)
        #expect(fixture.registry.tenant("acme") === tenant)

        fixture.configs.write("acme.yaml", ReloadFixture.tenant("acme", comment: "# moved down a line\n"))
        let moved = await fixture.reloader.reload()
        #expect(moved.tenantsUnchanged == ["acme"])
        #expect(fixture.org("acme") === org)
    }

    @Test func aNewClientSecretGetsANewTokenStoreButKeepsLimiterAndBreaker() async throws {
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme")])
        let before = try #require(fixture.org("acme"))
        fixture.configs.write("acme.yaml", ReloadFixture.tenant("acme", clientSecret: .env("OTHER_SECRET")))

        let report = await fixture.reloader.reload()
        let after = try #require(fixture.org("acme"))
        #expect(report.tenantsUpdated == ["acme"])
        #expect(report.orgsWithNewCredentials == [ReloadReport.Org(OrgKey(tenantID: "acme", orgName: "main"))])
        #expect(report.orgsWithNewRateLimiter.isEmpty && report.orgsWithNewCircuitBreaker.isEmpty)
        #expect(after !== before)
        #expect(after.tokens as AnyObject !== before.tokens as AnyObject)
        #expect(after.limiter as AnyObject === before.limiter as AnyObject)
        #expect(after.breaker === before.breaker)
    }

    @Test func aRotatedSecretFileIsPickedUpWithTheYAMLUnchanged() async throws {
        let secretFiles = TemporaryDirectory()
        let secretFile = secretFiles.write("acme-secret", "first\n")
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme", clientSecret: .file(secretFile))])
        let before = try #require(fixture.org("acme"))

        secretFiles.write("acme-secret", "second\n")
        let report = await fixture.reloader.reload()
        #expect(report.orgsWithNewCredentials.map(\.org) == ["main"])
        let after = try #require(fixture.org("acme"))
        #expect(after.tokens as AnyObject !== before.tokens as AnyObject)
        #expect(after.breaker === before.breaker)
    }

    @Test func aChangedRateLimitGetsAFreshLimiterAndKeepsTheRest() async throws {
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme", rate: 50)])
        let before = try #require(fixture.org("acme"))
        fixture.configs.write("acme.yaml", ReloadFixture.tenant("acme", rate: 10))

        let report = await fixture.reloader.reload()
        let after = try #require(fixture.org("acme"))
        #expect(report.orgsWithNewRateLimiter.map(\.org) == ["main"])
        #expect(report.orgsWithNewCredentials.isEmpty)
        #expect(after.limiter as AnyObject !== before.limiter as AnyObject)
        #expect(after.tokens as AnyObject === before.tokens as AnyObject)
        #expect(after.breaker === before.breaker)
        #expect(after.config.rateLimit.messagesPerSecond == 10)
    }

    @Test func aChangedBreakerSettingGetsAFreshBreakerAndKeepsTheRest() async throws {
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme", openSeconds: 30)])
        let before = try #require(fixture.org("acme"))
        fixture.configs.write("acme.yaml", ReloadFixture.tenant("acme", openSeconds: 5))

        let report = await fixture.reloader.reload()
        let after = try #require(fixture.org("acme"))
        #expect(report.orgsWithNewCircuitBreaker.map(\.org) == ["main"])
        #expect(after.breaker !== before.breaker)
        #expect(after.limiter as AnyObject === before.limiter as AnyObject)
        #expect(after.tokens as AnyObject === before.tokens as AnyObject)
    }

    @Test func anOtherSettingRebuildsTheRuntimeAroundTheSameStatefulParts() async throws {
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme", maxAttempts: 5)])
        let before = try #require(fixture.org("acme"))
        await before.breaker.force(.open)
        fixture.configs.write("acme.yaml", ReloadFixture.tenant("acme", maxAttempts: 9))

        let report = await fixture.reloader.reload()
        let after = try #require(fixture.org("acme"))
        #expect(report.tenantsUpdated == ["acme"])
        #expect(report.orgsWithNewCredentials.isEmpty && report.orgsWithNewRateLimiter.isEmpty && report.orgsWithNewCircuitBreaker.isEmpty)
        #expect(after !== before && after.config.retry.maxAttempts == 9)
        #expect(after.tokens as AnyObject === before.tokens as AnyObject)
        #expect(after.limiter as AnyObject === before.limiter as AnyObject)
        #expect(await after.breaker.snapshot().state == .open)
    }

    @Test func orgsBuiltAtAReloadReportBreakerTransitionsToTheBuildCallback() async throws {
        let transitions = Collected<OrgKey>()
        let fixture = try ReloadFixture(
            ["acme.yaml": ReloadFixture.tenant("acme")], onBreakerTransition: { org, _ in transitions.append(org) })
        fixture.configs.write("beta.yaml", ReloadFixture.tenant("beta"))
        #expect(await fixture.reloader.reload().tenantsAdded == ["beta"])

        await fixture.org("beta")?.breaker.force(.open)
        #expect(transitions.all == [OrgKey(tenantID: "beta", orgName: "main")])
    }

    @Test func aRegistryOfReadyMadeTenantsKeepsThemAndSaysItCannotRebuild() throws {
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme")])
        let readyMade = TenantRegistry(tenants: fixture.registry.all, plugins: ReloadFixture.plugins)
        let acme = try #require(readyMade.tenant("acme"))

        let changes = readyMade.apply([acme.config], keeping: [])
        #expect(changes.failures.map(\.tenantID) == ["acme"] && changes.failures.first?.keptPreviousVersion == true)
        #expect(readyMade.tenant("acme") === acme)
    }
}
