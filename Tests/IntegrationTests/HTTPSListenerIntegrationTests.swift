import Foundation
import GatewayTestSupport
@testable import CurlHTTP
@testable import GatewayCore
import Testing

/// `genesys-gateway run --tls-cert-file --tls-key-file` as a process: both listeners speak HTTPS with the given
/// certificate (TLS 1.2 and newer) and nothing else; files it could not serve stop the start, naming the option.
/// Certificates come from a CA the test makes with the openssl command line.
@Suite(.timeLimit(.minutes(2))) struct HTTPSListenerIntegrationTests {
    static let org = TestOrg(tenant: "tls", name: "main")

    @Test func bothListenersServeHTTPSWithTheGivenCertificateAndPlainHTTPGetsNoAnswer() async throws {
        let authority = try TestCertificateAuthority()
        let served = try authority.issue("gateway", commonName: "gateway-a", serial: "1A0001")
        try await GatewayHarness.withSandbox(orgs: [Self.org], logger: .quiet("https")) { setup in
            let opsPort = try FreePort.pick()
            let gateway = try IsolationGatewayProcess(
                setup: setup, url: try BrokerProbe.url, prefix: BrokerProbe.uniquePrefix("https"),
                extraArguments: ["--tls-cert-file", served.certificate, "--tls-key-file", served.key, "--ops-port", String(opsPort)])
            let base = "https://127.0.0.1:\(gateway.apiPort)"
            do {
                try await HTTPSProbe.with(caPath: authority.certificatePath) { https in
                    let ready = await Isolation.eventually(timeout: .seconds(30)) { (try? await https.call(base + "/ready"))?.status == 200 }
                    try #require(ready, "gateway not ready over HTTPS within 30 s; log \(gateway.logPath):\n\(gateway.logTail())")
                    #expect(try await https.call(base + "/health").status == 200)

                    // The operations listener: HTTPS too, with the same certificate, and its expiry in the metrics.
                    let metrics = try await https.call("https://127.0.0.1:\(opsPort)/metrics")
                    #expect(metrics.status == 200)
                    let expiry = metrics.body.split(separator: "\n")
                        .first { $0.hasPrefix("genesys_gateway_tls_certificate_expiry_timestamp_seconds ") }
                        .flatMap { Double($0.split(separator: " ").last ?? "") }
                    #expect((expiry ?? 0) > Date().timeIntervalSince1970, "\(metrics.body)")
                    #expect(try HTTPSProbe.servedCertificate(port: opsPort, caPath: authority.certificatePath).serial == "1A0001")
                }
                // A client that trusts only the system's CAs does not accept the test CA's certificate: it is TLS, and ours.
                _ = try await HTTPSProbe.with(caPath: nil) { system in
                    await #expect(throws: (any Error).self) { try await system.call(base + "/health") }
                }
                // Plain HTTP on the same port gets no HTTP answer.
                let plain = CurlHTTPClient()
                let answer = try? await plain.execute(HTTPRequest(
                    method: "GET", url: "http://127.0.0.1:\(gateway.apiPort)/health", connectTimeout: .seconds(2), totalTimeout: .seconds(5)))
                await plain.shutdown()
                #expect(answer == nil, "plain HTTP was answered \(answer?.status ?? 0)")

                let seen = try HTTPSProbe.servedCertificate(port: gateway.apiPort, caPath: authority.certificatePath)
                #expect(seen.subject == "CN = gateway-a" && seen.serial == "1A0001")
                #expect(throws: Never.self) {
                    try HTTPSProbe.servedCertificate(port: gateway.apiPort, caPath: authority.certificatePath, extra: ["-tls1_2"])
                }
                // TLS 1.1 (the client's security level lowered so that it offers it at all) is refused by the server.
                #expect(throws: (any Error).self) {
                    try HTTPSProbe.servedCertificate(
                        port: gateway.apiPort, caPath: authority.certificatePath, extra: ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"])
                }
                #expect(gateway.logTail(200).contains("address=https://127.0.0.1:\(gateway.apiPort)"))
            } catch {
                await gateway.stop()
                throw error
            }
            await gateway.stop()
        }
    }

    @Test func filesItCannotServeStopTheStartNamingTheOptionAndOpenSSLsReason() throws {
        let authority = try TestCertificateAuthority()
        let first = try authority.issue("first", commonName: "gateway-a", serial: "1A0002")
        let other = try authority.issue("other", commonName: "gateway-b", serial: "2B0002")
        let garbage = authority.path + "/garbage.pem"
        try "-----BEGIN CERTIFICATE-----\nthis is not base64 at all!\n-----END CERTIFICATE-----\n"
            .write(toFile: garbage, atomically: true, encoding: .utf8)
        let cases: [(arguments: [String], expected: [String])] = [
            (["--tls-cert-file", authority.path + "/missing.pem", "--tls-key-file", first.key],
             ["--tls-cert-file \(authority.path)/missing.pem", "No such file or directory"]),
            (["--tls-cert-file", first.certificate, "--tls-key-file", other.key],
             ["--tls-key-file \(other.key)", "does not belong to the certificate", "key values mismatch"]),
            (["--tls-cert-file", garbage, "--tls-key-file", first.key], ["--tls-cert-file \(garbage)", "OpenSSL cannot read its certificate"]),
            (["--tls-cert-file", first.key, "--tls-key-file", first.key], ["--tls-cert-file \(first.key)", "no PEM certificate"]),
            (["--tls-cert-file", first.certificate, "--tls-key-file", first.certificate], ["--tls-key-file \(first.certificate)", "no PEM private key"]),
            (["--tls-cert-file", first.certificate], ["needs --tls-key-file"]),
        ]
        for (arguments, expected) in cases {
            let started = ContinuousClock.now
            let result = try ScriptProcess.run(
                [BuiltPlugins.buildDirectory + "/genesys-gateway", "run", "--config-dir", authority.path] + arguments,
                environment: ["GGW_TLS_CERT_FILE": "", "GGW_TLS_KEY_FILE": "", "GGW_REDIS_URL": ""])
            #expect(result.status != 0, "\(arguments): started anyway")
            for text in expected {
                #expect(result.output.contains(text), "\(arguments): \(result.output)")
            }
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }
}
