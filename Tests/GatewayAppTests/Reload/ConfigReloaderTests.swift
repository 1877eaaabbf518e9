import Foundation
import GatewayTestSupport
import Logging
import Testing
@testable import GatewayCore
@testable import GatewayDelivery
@testable import GatewayApp

/// File-by-file reload semantics, the directory poll, SIGHUP, and messages in flight during a reload.
/// Serialized: the services under test trap SIGHUP, which is process-wide.
@Suite(.serialized, .timeLimit(.minutes(1))) struct ConfigReloaderTests {
    @Test func aBrokenFileIsReportedAndItsPreviousVersionStaysInForce() async throws {
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme"), "beta.yaml": ReloadFixture.tenant("beta")])
        let acme = try #require(fixture.registry.tenant("acme"))
        fixture.configs.write("acme.yaml", "id: acme\norgs: [\n")
        fixture.configs.write("beta.yaml", ReloadFixture.tenant("beta", rate: 7))

        let report = await fixture.reloader.reload()
        #expect(report.failedFiles.count == 1)
        let failed = try #require(report.failedFiles.first)
        #expect(failed.path == fixture.configs.path + "/acme.yaml")
        #expect(failed.keptPreviousVersion && failed.keptTenantId == "acme")
        #expect(failed.errors.count == 1 && failed.errors[0].hasPrefix(fixture.configs.path + "/acme.yaml:3:1: "))
        #expect(fixture.registry.tenant("acme") === acme)
        #expect(report.tenantsUpdated == ["beta"] && report.tenantsRemoved.isEmpty)
        #expect(fixture.org("beta")?.config.rateLimit.messagesPerSecond == 7)
    }

    @Test func aFileFailingValidationKeepsItsPreviousVersion() async throws {
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme")])
        let acme = try #require(fixture.registry.tenant("acme"))
        fixture.configs.write("acme.yaml", ReloadFixture.tenant("acme", clientSecret: .env("NOT_SET")).replacingOccurrences(
            of: "errorPolicy: default", with: "errorPolicy: lenient"))

        let report = await fixture.reloader.reload()
        let errors = try #require(report.failedFiles.first?.errors)
        #expect(errors.contains("\(fixture.configs.path)/acme.yaml:11:18: org 'main': unknown error policy 'lenient' (loaded: default)"))
        #expect(errors.contains { $0.hasSuffix("tenant 'acme' org 'main' key 'clientSecret': env:NOT_SET is not set") })
        #expect(report.failedFiles.first?.keptTenantId == "acme")
        #expect(fixture.registry.tenant("acme") === acme)
    }

    @Test func aNewFileAddsItsTenantAndADeletedFileRemovesOne() async throws {
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme")])
        fixture.configs.write("beta.yml", ReloadFixture.tenant("beta"))
        let added = await fixture.reloader.reload()
        #expect(added.tenantsAdded == ["beta"] && added.tenantsUnchanged == ["acme"])
        #expect(fixture.registry.all.map(\.config.id) == ["acme", "beta"])

        fixture.remove("acme.yaml")
        let removed = await fixture.reloader.reload()
        #expect(removed.tenantsRemoved == ["acme"] && removed.succeeded)
        #expect(fixture.registry.tenant("acme") == nil && fixture.registry.all.map(\.config.id) == ["beta"])
    }

    @Test func aBrokenNewFileIsOnlyReported() async throws {
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme")])
        fixture.configs.write("new.yaml", "id: gamma\n")

        let report = await fixture.reloader.reload()
        #expect(report.failedFiles.map(\.path) == [fixture.configs.path + "/new.yaml"])
        #expect(report.failedFiles.first?.keptPreviousVersion == false && report.failedFiles.first?.keptTenantId == nil)
        #expect(report.tenantsUnchanged == ["acme"] && report.tenantsAdded.isEmpty)
    }

    @Test func aNewFileClaimingATenantInForceIsRefusedAsADuplicate() async throws {
        let fixture = try ReloadFixture(["b.yaml": ReloadFixture.tenant("acme")])
        let acme = try #require(fixture.registry.tenant("acme"))
        fixture.configs.write("a.yaml", ReloadFixture.tenant("acme", rate: 1))

        let report = await fixture.reloader.reload()
        #expect(report.failedFiles.map(\.errors) == [[
            "\(fixture.configs.path)/a.yaml:1:5: duplicate tenant id 'acme': already defined in \(fixture.configs.path)/b.yaml"
        ]])
        #expect(fixture.registry.tenant("acme") === acme)
    }

    @Test func aDirectoryWithoutTenantFilesKeepsEveryTenant() async throws {
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme")])
        fixture.remove("acme.yaml")

        let report = await fixture.reloader.reload()
        #expect(report.failedFiles.map(\.path) == [fixture.configs.path])
        #expect(report.failedFiles.first?.keptPreviousVersion == true && report.tenantsRemoved.isEmpty)
        #expect(fixture.registry.tenant("acme") != nil)
    }

    @Test func theReportEncodesAsJSON() async throws {
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme")])
        fixture.configs.write("acme.yaml", "id: [\n")
        let report = await fixture.reloader.reload()

        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        let failed = try #require((json?["failedFiles"] as? [[String: Any]])?.first)
        #expect(json?["trigger"] as? String == "request")
        #expect(failed["keptPreviousVersion"] as? Bool == true && failed["keptTenantId"] as? String == "acme")
        #expect(try JSONDecoder().decode(ReloadReport.self, from: JSONEncoder().encode(report)) == report)
    }

    @Test func thePollReloadsOnlyWhenTheDirectoryChanged() async throws {
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme")])
        #expect(await fixture.reloader.reloadIfChanged() == nil)

        // Same size, same second, new content: the rename gives it a new inode.
        fixture.configs.write("acme.yaml", ReloadFixture.tenant("acme", rate: 40))
        let report = try #require(await fixture.reloader.reloadIfChanged())
        #expect(report.trigger == .fileChange && report.tenantsUpdated == ["acme"])
        #expect(await fixture.reloader.reloadIfChanged() == nil)
    }

    @Test func theRunningServiceNoticesANewFileAtTheNextPoll() async throws {
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme")])
        let reloader = fixture.reloader
        let service = Task { try await reloader.run() }
        defer { service.cancel() }
        await fixture.clock.waitForSleepers(1)

        fixture.configs.write("beta.yaml", ReloadFixture.tenant("beta"))
        fixture.clock.advance(by: .seconds(2))
        await fixture.clock.waitForSleepers(1)  // back asleep: the poll has reloaded
        #expect(fixture.registry.tenant("beta") != nil)
    }

    @Test func sighupReloads() async throws {
        let (reports, continuation) = AsyncStream.makeStream(of: ReloadReport.self)
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme")], onReload: { continuation.yield($0) })
        let reloader = fixture.reloader
        let service = Task { try await reloader.run() }
        defer { service.cancel() }
        await fixture.clock.waitForSleepers(1)  // SIGHUP is trapped before the poll first sleeps

        fixture.configs.write("beta.yaml", ReloadFixture.tenant("beta"))
        kill(getpid(), SIGHUP)
        var iterator = reports.makeAsyncIterator()
        let report = try #require(await iterator.next())
        #expect(report.trigger == .signal && report.tenantsAdded == ["beta"])
    }

    @Test func aMessageSendingDuringAReloadFinishesOnTheRuntimeItStartedWith() async throws {
        let posted = Gate()
        let http = ScriptedHTTPClient { request in
            if request.url.hasSuffix("/oauth/token") {
                return HTTPResponse(status: 200, body: Array(#"{"access_token":"t","token_type":"bearer","expires_in":86400}"#.utf8))
            }
            await posted.wait()
            return HTTPResponse(status: 202, body: Array(#"{"id":"genesys-1"}"#.utf8))
        }
        let fixture = try ReloadFixture(["acme.yaml": ReloadFixture.tenant("acme")], http: http)
        let delivery = DeliveryService(registry: fixture.registry, http: http, clock: fixture.clock, logger: Logger(label: "test"))
        let message = #"{"id":"m1","tenantId":"acme","type":"text","textBody":"hi","sender":{"id":"+15550100001","idType":"Phone"},"createdAt":"2026-11-25T10:00:00Z"}"#
        let sending = Task { await delivery.deliver(DeliveryRequest(bytes: Array(message.utf8))) }
        while posted.waiting == 0 { await Task.yield() }

        fixture.remove("acme.yaml")
        fixture.configs.write("beta.yaml", ReloadFixture.tenant("beta"))
        #expect(await fixture.reloader.reload().tenantsRemoved == ["acme"])
        posted.open()

        guard case .delivered(let receipt) = await sending.value else {
            Issue.record("the message in flight did not finish as delivered")
            return
        }
        #expect(receipt.org == OrgKey(tenantID: "acme", orgName: "main") && receipt.genesysMessageID == "genesys-1")
        #expect(fixture.registry.tenant("acme") == nil)
    }
}
