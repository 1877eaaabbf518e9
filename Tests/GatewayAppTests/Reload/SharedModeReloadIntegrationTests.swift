import RedisTestSupport
import GatewayTestSupport
import Logging
import Testing
@testable import OrgServices

/// Hot reload in shared mode: an org whose rate changes gets a Redis limiter at the new rate (same key, so the
/// shared state carries on); its token store stays.
@Suite(.timeLimit(.minutes(1))) struct SharedModeReloadIntegrationTests {
    @Test func aChangedRateGetsASharedLimiterAtTheNewRate() async throws {
        let logger = Logger(label: "shared-reload-tests") { _ in SwiftLogNoOpLogHandler() }
        let client = try GatewayTestRedis.client(logger: logger)
        let http = ScriptedHTTPClient { _ in throw CancellationError() }
        let clock = ManualClock()
        let orgState = SharedOrgState(
            client: client, replicas: ReplicaDirectory(id: "reload-test", client: client, clock: clock, logger: logger), http: http,
            clock: clock, logger: logger)
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme", rate: 50)], http: http, orgState: orgState)
        let before = try #require(fixture.org("acme"))
        #expect(before.limiter is RedisRateLimiter && before.tokens is RedisTokenStore)
        fixture.configs.write("acme.yaml", ReloadFixture.tenant("acme", rate: 10))

        let report = await fixture.reloader.reload()
        let after = try #require(fixture.org("acme"))
        #expect(report.orgsWithNewRateLimiter.map(\.org) == ["main"])
        #expect(after.limiter is RedisRateLimiter && after.limiter as AnyObject !== before.limiter as AnyObject)
        #expect(await after.limiter.snapshot().configuredRate == 10)
        #expect(after.tokens as AnyObject === before.tokens as AnyObject)
    }
}
