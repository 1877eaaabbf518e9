import Foundation
@testable import GatewayApp
import GatewayTestSupport
import HTTPAPI
import Logging
import Synchronization
import Testing

/// The TLS certificate's reloads, on a manual clock: what is served after a signal or a poll, what a broken or
/// expired replacement leaves in force, and when the poll reads the files (a change that has held still for one
/// interval; refused files once).
@Suite(.timeLimit(.minutes(1))) struct CertificateReloaderTests {
    let authority: TestCertificateAuthority
    let first: (certificate: String, key: String)
    let renewed: (certificate: String, key: String)
    let files: CertificateFiles
    let store: ServingCertificateStore
    let clock = ManualClock()
    let outcomes = Collected<CertificateReloader.Outcome>()
    let wallClock = TestWallClock()

    init() throws {
        authority = try TestCertificateAuthority()
        first = try authority.issue("first", commonName: "gateway-a", serial: "A1")
        renewed = try authority.issue("renewed", commonName: "gateway-b", serial: "B2")
        files = CertificateFiles(certificatePath: authority.path + "/served.pem", keyPath: authority.path + "/served-key.pem")
        try FileManager.default.copyItem(atPath: first.certificate, toPath: files.certificatePath)
        try FileManager.default.copyItem(atPath: first.key, toPath: files.keyPath)
        store = ServingCertificateStore(try ServingCertificate.read(files))
    }

    func reloader(pollInterval: Duration? = .seconds(5)) -> CertificateReloader {
        let outcomes = outcomes
        let wallClock = wallClock
        return CertificateReloader(
            files: files, store: store, clock: clock, pollInterval: pollInterval, wallClock: { wallClock.seconds },
            logger: Logger(label: "test"), onReload: { outcomes.append($0) })
    }

    /// Puts `pair` in place of the served files, each renamed over its target as renewal tools do.
    func install(certificate: String, key: String) throws {
        for (source, target) in [(certificate, files.certificatePath), (key, files.keyPath)] {
            try? FileManager.default.removeItem(atPath: target + ".staged")
            try FileManager.default.copyItem(atPath: source, toPath: target + ".staged")
            #expect(rename(target + ".staged", target) == 0)
        }
    }

    @Test func aReloadServesTheRenewedCertificate() async throws {
        let reloader = reloader()
        try install(certificate: renewed.certificate, key: renewed.key)
        let outcome = await reloader.reload(trigger: .signal)
        #expect(try outcome.result.get().serialNumber == "B2")
        #expect(store.certificate.serialNumber == "B2" && store.certificate.subject == "/CN=gateway-b")
        #expect(outcomes.all.count == 1)
    }

    @Test func aBrokenReplacementKeepsTheCertificateInForce() async throws {
        let reloader = reloader()
        try install(certificate: first.certificate, key: renewed.key)
        guard case .failure(let mismatch) = await reloader.reload(trigger: .signal).result else {
            Issue.record("a key of another certificate was served")
            return
        }
        #expect(mismatch.option == "--tls-key-file")
        #expect(store.certificate.serialNumber == "A1")

        try "garbage".write(toFile: files.certificatePath, atomically: true, encoding: .utf8)
        guard case .failure(let garbage) = await reloader.reload(trigger: .signal).result else {
            Issue.record("a file that is no certificate was served")
            return
        }
        #expect(garbage.option == "--tls-cert-file")
        #expect(store.certificate.serialNumber == "A1")
    }

    @Test func anExpiredReplacementIsRefused() async throws {
        let reloader = reloader()
        try install(certificate: renewed.certificate, key: renewed.key)
        wallClock.advance(by: 3 * 86_400)
        guard case .failure(let error) = await reloader.reload(trigger: .signal).result else {
            Issue.record("an expired certificate was served")
            return
        }
        #expect(error.reason.contains("expired at"))
        #expect(store.certificate.serialNumber == "A1")
    }

    @Test func thePollReadsAChangeOnceItHasHeldStillForOnePoll() async throws {
        let reloader = reloader()
        #expect(await reloader.pollOnce() == nil)
        try install(certificate: renewed.certificate, key: renewed.key)
        #expect(await reloader.pollOnce() == nil, "read at the first sight of a change")
        #expect(store.certificate.serialNumber == "A1")
        let outcome = try #require(await reloader.pollOnce())
        #expect(outcome.trigger == .fileChange)
        #expect(store.certificate.serialNumber == "B2")
        #expect(await reloader.pollOnce() == nil)
        #expect(outcomes.all.count == 1)
    }

    @Test func thePollReadsRefusedFilesOnceAndTheirRepairAgain() async throws {
        let reloader = reloader()
        try install(certificate: first.certificate, key: renewed.key)
        _ = await reloader.pollOnce()
        #expect(await reloader.pollOnce() != nil)
        #expect(await reloader.pollOnce() == nil)
        #expect(await reloader.pollOnce() == nil)
        #expect(outcomes.all.count == 1 && store.certificate.serialNumber == "A1")

        try install(certificate: renewed.certificate, key: renewed.key)
        _ = await reloader.pollOnce()
        #expect(await reloader.pollOnce() != nil)
        #expect(store.certificate.serialNumber == "B2")
    }

    @Test func theRunningServicePollsOnItsClock() async throws {
        let reloader = reloader(pollInterval: .seconds(5))
        let service = Task { try await reloader.run() }
        defer { service.cancel() }
        await clock.waitForSleepers(1)
        try install(certificate: renewed.certificate, key: renewed.key)
        for _ in 0..<2 {
            clock.advance(by: .seconds(5))
            await clock.waitForSleepers(1)  // back asleep: the poll has looked
        }
        #expect(store.certificate.serialNumber == "B2")
    }
}

/// Seconds since 1970 that move only when a test says so (for the expiry check).
final class TestWallClock: Sendable {
    private let value = Mutex(Int(Date().timeIntervalSince1970))

    var seconds: Int { value.withLock { $0 } }

    func advance(by seconds: Int) {
        value.withLock { $0 += seconds }
    }
}
