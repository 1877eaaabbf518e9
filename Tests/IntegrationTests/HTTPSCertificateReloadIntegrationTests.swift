import Foundation
import GatewayTestSupport
import Testing

/// A renewed certificate reaches new connections of a running `genesys-gateway run` process without a restart:
/// on SIGHUP, and by the poll of the files; the listener answers throughout; a broken replacement keeps the
/// certificate in force. The files are replaced the way renewal tools do, by renaming new files over them.
@Suite(.timeLimit(.minutes(3))) struct HTTPSCertificateReloadIntegrationTests {
    static let org = TestOrg(tenant: "tlsreload", name: "main")

    @Test func sighupServesTheRenewedCertificateToNewConnectionsWhileTheListenerAnswersThroughout() async throws {
        try await Self.withGateway(pollSeconds: 0) { context in
            let before = try context.served()
            #expect(before.serial == "1A0003" && before.subject == "CN = gateway-a")
            let answered = Collected<Int>()
            let failures = Collected<String>()
            let traffic = Task {
                while !Task.isCancelled {
                    do {
                        answered.append(try await context.https.call(context.base + "/health").status)
                    } catch where !Task.isCancelled {
                        failures.append("\(error)")
                    } catch {
                        return  // the test stopped the traffic mid-request
                    }
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            try? await Task.sleep(for: .milliseconds(300))  // traffic before the reload too
            try context.install(context.renewed)
            kill(context.gateway.pid, SIGHUP)
            let switched = await Isolation.eventually(timeout: .seconds(10)) { (try? context.served().serial) == "2B0003" }
            try? await Task.sleep(for: .milliseconds(300))
            traffic.cancel()
            await traffic.value
            #expect(switched, "log:\n\(context.gateway.logTail(40))")
            #expect(try context.served().subject == "CN = gateway-b")
            #expect(failures.all.isEmpty, "requests failed during the reload: \(failures.all.prefix(3))")
            #expect(answered.all.count > 10 && answered.all.allSatisfy { $0 == 200 })
            let log = context.gateway.logTail(400)
            #expect(log.contains("TLS certificate reloaded") && log.contains("tls.reload.trigger=signal"))
            // The one SIGHUP reached the tenant configs' reloader as well.
            #expect(log.contains(" reload.trigger=signal") && log.contains("tenant configs reloaded"))
            #expect(log.components(separatedBy: "HTTP API listening").count == 2, "the listener was started again")
            #expect(context.gateway.isRunning)
        }
    }

    @Test func thePollServesTheRenewedCertificateWithoutASignal() async throws {
        try await Self.withGateway(pollSeconds: 1) { context in
            #expect(try context.served().serial == "1A0003")
            try context.install(context.renewed)
            let switched = await Isolation.eventually(timeout: .seconds(15)) { (try? context.served().serial) == "2B0003" }
            #expect(switched, "log:\n\(context.gateway.logTail(40))")
            #expect(context.gateway.logTail(400).contains("tls.reload.trigger=file_change"))
            #expect(try await context.https.call(context.base + "/health").status == 200)
        }
    }

    @Test func aBrokenReplacementKeepsTheCertificateInForce() async throws {
        try await Self.withGateway(pollSeconds: 0) { context in
            // The key of another certificate.
            try context.install((certificate: context.first.certificate, key: context.renewed.key))
            kill(context.gateway.pid, SIGHUP)
            #expect(await context.refusals(1), "log:\n\(context.gateway.logTail(40))")
            #expect(try context.served().serial == "1A0003")
            #expect(context.gateway.logTail(400).contains("key values mismatch"))

            // A certificate file that is not one.
            try "not a certificate\n".write(toFile: context.files.certificate + ".new", atomically: false, encoding: .utf8)
            try context.install((certificate: context.files.certificate + ".new", key: context.first.key))
            kill(context.gateway.pid, SIGHUP)
            #expect(await context.refusals(2), "log:\n\(context.gateway.logTail(40))")
            #expect(try context.served().serial == "1A0003")
            #expect(try await context.https.call(context.base + "/health").status == 200)

            let metrics = try await context.https.call(context.base + "/metrics", bearer: IsolationGatewayProcess.adminKey)
            #expect(metrics.body.contains(#"genesys_gateway_tls_certificate_reloads_total{result="failed"} 2"#), "\(metrics.body)")
            #expect(metrics.body.contains(#"genesys_gateway_tls_certificate_reloads_total{result="ok"} 0"#))
        }
    }

    /// A running TLS gateway on `first`'s certificate, copied into files of its own.
    struct Context: Sendable {
        let gateway: IsolationGatewayProcess
        let https: HTTPSProbe
        let authority: TestCertificateAuthority
        let first: (certificate: String, key: String)
        let renewed: (certificate: String, key: String)
        let files: (certificate: String, key: String)
        var base: String { "https://127.0.0.1:\(gateway.apiPort)" }

        /// What a new connection is shown.
        func served() throws -> (subject: String, serial: String) {
            try HTTPSProbe.servedCertificate(port: gateway.apiPort, caPath: authority.certificatePath)
        }

        /// Puts `pair` in place of the served files: each copied beside its target, then renamed over it.
        func install(_ pair: (certificate: String, key: String)) throws {
            for (source, target) in [(pair.certificate, files.certificate), (pair.key, files.key)] {
                let staged = target + ".staged"
                try? FileManager.default.removeItem(atPath: staged)
                try FileManager.default.copyItem(atPath: source, toPath: staged)
                guard rename(staged, target) == 0 else { throw TestCertificateError(message: "rename \(staged): \(errno)") }
            }
        }

        /// Waits until the log shows `count` refused reloads.
        func refusals(_ count: Int) async -> Bool {
            await Isolation.eventually(timeout: .seconds(10)) {
                gateway.logTail(400).components(separatedBy: "TLS certificate reload refused").count - 1 >= count
            }
        }
    }

    static func withGateway(pollSeconds: Int, _ body: @Sendable (Context) async throws -> Void) async throws {
        let authority = try TestCertificateAuthority()
        let first = try authority.issue("first", commonName: "gateway-a", serial: "1A0003")
        let renewed = try authority.issue("renewed", commonName: "gateway-b", serial: "2B0003")
        let files = (certificate: authority.path + "/served.pem", key: authority.path + "/served-key.pem")
        try FileManager.default.copyItem(atPath: first.certificate, toPath: files.certificate)
        try FileManager.default.copyItem(atPath: first.key, toPath: files.key)
        try await GatewayHarness.withSandbox(orgs: [org], logger: .quiet("https-reload")) { setup in
            let gateway = try IsolationGatewayProcess(
                setup: setup, url: try BrokerProbe.url, prefix: BrokerProbe.uniquePrefix("https-reload"),
                extraArguments: [
                    "--tls-cert-file", files.certificate, "--tls-key-file", files.key, "--tls-reload-poll-seconds", String(pollSeconds),
                ])
            do {
                try await HTTPSProbe.with(caPath: authority.certificatePath) { https in
                    let context = Context(
                        gateway: gateway, https: https, authority: authority, first: first, renewed: renewed, files: files)
                    let ready = await Isolation.eventually(timeout: .seconds(30)) {
                        (try? await https.call(context.base + "/ready"))?.status == 200
                    }
                    try #require(ready, "gateway not ready over HTTPS within 30 s; log \(gateway.logPath):\n\(gateway.logTail())")
                    // SIGHUP ends a process that does not trap it: both reloaders say when they do.
                    let trapping = await Isolation.eventually(timeout: .seconds(10)) {
                        let log = gateway.logTail(400)
                        return log.contains("watching the TLS certificate files") && log.contains("watching tenant configs")
                    }
                    try #require(trapping, "log:\n\(gateway.logTail())")
                    try await body(context)
                }
            } catch {
                await gateway.stop()
                throw error
            }
            await gateway.stop()
        }
    }
}
