import Crypto
import Foundation
import Testing
@testable import GatewayCore
@testable import HTTPAPI

/// `X-Hub-Signature-256` against signatures made by an independent HMAC implementation.
@Suite struct WebhookSignatureTests {
    let secret = Secret(WebhookFixtures.secret)
    let body = Array(WebhookFixtures.text.utf8)

    func failure(_ header: String?, body: [UInt8]? = nil, secret: Secret? = nil) -> WebhookSignature.Failure? {
        do {
            try WebhookSignature.verify(header: header, body: body ?? self.body, secrets: [secret ?? self.secret])
            return nil
        } catch {
            return error
        }
    }

    @Test func aGenuineSignatureIsAccepted() {
        #expect(failure(WebhookFixtures.textSignature) == nil)
        #expect(failure(WebhookFixtures.receiptSignature, body: Array(WebhookFixtures.receipt.utf8)) == nil)
    }

    /// During a rotation either secret is accepted, and the caller learns which one signed.
    @Test func eitherSecretOfARotationIsAcceptedAndNamed() throws {
        let other = Secret("the-other-secret-of-the-rotation")
        let body = Array(WebhookFixtures.text.utf8)
        #expect(try WebhookSignature.verify(header: WebhookFixtures.textSignature, body: body, secrets: [secret, other]) == 0)
        #expect(try WebhookSignature.verify(header: WebhookFixtures.textSignature, body: body, secrets: [other, secret]) == 1)
        #expect(throws: WebhookSignature.Failure.mismatch) {
            try WebhookSignature.verify(header: WebhookFixtures.textSignature, body: body, secrets: [other])
        }
    }

    /// Issue 25: an unknown org took one MAC and an org mid-rotation two, so the answer's timing told which. Every
    /// check now computes the same number, and a stand-in that makes up the number never verifies anything.
    @Test func everyCheckComputesAsManyMACsWhateverTheOrgHas() throws {
        let other = Secret("the-other-secret-of-the-rotation")
        let counts = [[], [secret], [secret, other]].map { WebhookSignature.keysTried(for: $0).count }
        #expect(counts == [2, 2, 2])
        let signedByStandIn = "sha256=" + Data(HMAC<SHA256>.authenticationCode(
            for: body, using: SymmetricKey(data: Data(WebhookSignature.standIn.reveal().utf8)))).base64EncodedString()
        for secrets in [[], [secret]] {
            #expect(throws: WebhookSignature.Failure.mismatch) {
                try WebhookSignature.verify(header: signedByStandIn, body: body, secrets: secrets)
            }
        }
    }

    @Test func aMissingOrEmptyHeaderIsRefused() {
        #expect(failure(nil) == .missingHeader)
        #expect(failure("") == .missingHeader)
    }

    @Test func aHeaderWithoutTheSha256PrefixIsRefused() {
        let mac = String(WebhookFixtures.textSignature.dropFirst("sha256=".count))
        #expect(failure(mac) == .wrongPrefix)
        #expect(failure("sha1=" + mac) == .wrongPrefix)
        #expect(failure("SHA256=" + mac) == .wrongPrefix)
    }

    @Test func aSignatureThatIsNotBase64IsRefused() {
        #expect(failure("sha256=not base64!") == .badBase64)
    }

    @Test func aSignatureThatDoesNotMatchIsRefused() {
        // Another body, another secret, a hex digest instead of base64 bytes, and a truncated MAC.
        #expect(failure(WebhookFixtures.textSignature, body: body + [0x20]) == .mismatch)
        #expect(failure(WebhookFixtures.textSignature, secret: Secret("another-secret-of-16+chars")) == .mismatch)
        #expect(failure(WebhookFixtures.receiptSignature) == .mismatch)
        #expect(failure("sha256=AAAA") == .mismatch)
    }

    @Test func failuresSayWhatWasWrongWithoutTheSecret() {
        #expect(WebhookSignature.Failure.missingHeader.description == "no X-Hub-Signature-256 header")
        #expect(!WebhookSignature.Failure.mismatch.description.contains(WebhookFixtures.secret))
    }
}
