import Foundation
import GatewayTestSupport
@testable import HTTPAPI
import Testing

/// Reading the listener's certificate and key: what is served from good files, and for each bad file the option,
/// the path and OpenSSL's reason. Certificates are made by the test with the openssl command line.
@Suite(.timeLimit(.minutes(1))) struct ServingCertificateTests {
    let authority: TestCertificateAuthority
    let pair: (certificate: String, key: String)

    init() throws {
        authority = try TestCertificateAuthority()
        pair = try authority.issue("gateway", commonName: "gateway-a", serial: "1A2B3C")
    }

    func read(certificate: String? = nil, key: String? = nil) throws(ServingCertificateError) -> ServingCertificate {
        try ServingCertificate.read(CertificateFiles(certificatePath: certificate ?? pair.certificate, keyPath: key ?? pair.key))
    }

    func refusal(certificate: String? = nil, key: String? = nil) -> ServingCertificateError? {
        do {
            _ = try read(certificate: certificate, key: key)
            return nil
        } catch {
            return error
        }
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = authority.path + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aCertificateAndItsKeyAreReadWithWhatOperatorsLookAt() throws {
        let certificate = try read()
        #expect(certificate.subject == "/CN=gateway-a")
        #expect(certificate.serialNumber == "1A2B3C")
        #expect(certificate.chainLength == 1)
        let now = Int(Date().timeIntervalSince1970)
        #expect(certificate.notValidAfter > now + 86_400 && certificate.notValidAfter <= now + 2 * 86_400 + 60)
        #expect(!certificate.isExpired(at: now) && certificate.isExpired(at: now + 3 * 86_400))
        #expect(certificate.notValidAfterText.hasSuffix("Z") && certificate.notValidAfterText.count == 20)
    }

    @Test func aChainFileIsReadWithEveryCertificateInIt() throws {
        let leaf = try String(contentsOfFile: pair.certificate, encoding: .utf8)
        let ca = try String(contentsOfFile: authority.certificatePath, encoding: .utf8)
        #expect(try read(certificate: try write("fullchain.pem", leaf + ca)).chainLength == 2)

        // A broken certificate after the leaf is found now, not by a client.
        let broken = try write("broken-chain.pem", leaf + "-----BEGIN CERTIFICATE-----\nAAAA!!\n-----END CERTIFICATE-----\n")
        let error = try #require(refusal(certificate: broken))
        #expect(error.option == "--tls-cert-file" && error.reason.contains("OpenSSL cannot read its certificate"))
    }

    @Test func aMissingOrEmptyFileIsNamedWithItsOptionAndTheSystemsReason() throws {
        let missing = try #require(refusal(certificate: authority.path + "/missing.pem"))
        #expect(missing.description == "--tls-cert-file \(authority.path)/missing.pem: cannot open it: No such file or directory")
        let missingKey = try #require(refusal(key: authority.path + "/missing-key.pem"))
        #expect(missingKey.option == "--tls-key-file")
        let empty = try #require(refusal(certificate: try write("empty.pem", "")))
        #expect(empty.reason == "it is empty")
        let folder = try #require(refusal(certificate: authority.path))
        #expect(folder.reason.contains("Is a directory"), "\(folder)")
    }

    @Test func aCertificateFileWithoutACertificateIsRefusedWithOpenSSLsReason() throws {
        let none = try #require(refusal(certificate: pair.key))
        #expect(none.option == "--tls-cert-file" && none.reason.contains("no PEM certificate"))
        let garbage = try #require(refusal(
            certificate: try write("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n")))
        #expect(garbage.reason.hasPrefix("OpenSSL cannot read its certificate: "))
        #expect(!garbage.reason.contains("no detail from OpenSSL"), "\(garbage)")
    }

    @Test func aKeyThatIsNotTheCertificatesIsRefusedNamingBothFiles() throws {
        let other = try authority.issue("other", commonName: "gateway-b", serial: "4D5E")
        let error = try #require(refusal(key: other.key))
        #expect(error.option == "--tls-key-file" && error.path == other.key)
        #expect(error.reason.contains("does not belong to the certificate in --tls-cert-file \(pair.certificate)"))
        #expect(error.reason.contains("key values mismatch"), "\(error)")
    }

    @Test func aKeyFileWithoutAKeyOrWithAnEncryptedOneIsRefusedSayingWhich() throws {
        let none = try #require(refusal(key: pair.certificate))
        #expect(none.option == "--tls-key-file" && none.reason.contains("no PEM private key"))
        let encrypted = authority.path + "/encrypted-key.pem"
        try TestCertificateAuthority.openssl(["pkey", "-in", pair.key, "-aes256", "-passout", "pass:secret", "-out", encrypted])
        let error = try #require(refusal(key: encrypted))
        #expect(error.reason.contains("the key is encrypted"), "\(error)")
    }

    @Test func theStoreServesTheReplacementToNewHandshakes() throws {
        let store = ServingCertificateStore(try read())
        let other = try authority.issue("other", commonName: "gateway-b", serial: "4D5E")
        let replacement = try read(certificate: other.certificate, key: other.key)
        store.replace(with: replacement)
        #expect(store.certificate.serialNumber == "4D5E")
        // What the per-handshake callback hands swift-nio-ssl is the replacement's chain.
        #expect(store.certificate.override.certificateChain?.count == 1)
        #expect(store.tlsConfiguration.minimumTLSVersion == .tlsv12)
        #expect(store.tlsConfiguration.applicationProtocols == ["http/1.1"])
    }
}
