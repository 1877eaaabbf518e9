import GatewayTestSupport
import Testing
@testable import GatewayCore

@Suite struct SecretResolverTests {
    @Test func environmentReferencesResolveFromTheGivenEnvironment() throws {
        let resolver = SecretResolver(environment: ["TOKEN": "s3cret"])
        #expect(try resolver.resolve(.environment("TOKEN")).reveal() == "s3cret")
        #expect(throws: SecretResolutionError(reference: .environment("MISSING"), reason: "is not set")) {
            try resolver.resolve(.environment("MISSING"))
        }
        #expect(throws: SecretResolutionError(reference: .environment("EMPTY"), reason: "is empty")) {
            try SecretResolver(environment: ["EMPTY": ""]).resolve(.environment("EMPTY"))
        }
    }

    @Test func fileReferencesDropTheTrailingNewline() throws {
        let folder = TemporaryDirectory()
        let file = folder.write("secret", "from-file\n")
        #expect(try SecretResolver(environment: [:]).resolve(.file(file)).reveal() == "from-file")
        #expect(throws: SecretResolutionError(reference: .file(folder.path + "/absent"), reason: "cannot be read")) {
            try SecretResolver(environment: [:]).resolve(.file(folder.path + "/absent"))
        }
    }

    @Test func referencesParseOnlyInTheirTwoForms() {
        #expect(SecretReference(parsing: "env:API_KEY") == .environment("API_KEY"))
        #expect(SecretReference(parsing: "file:/run/secret") == .file("/run/secret"))
        #expect(SecretReference(parsing: "file:relative/path") == nil)
        #expect(SecretReference(parsing: "env:") == nil)
        #expect(SecretReference(parsing: "env:WITH SPACE") == nil)
        #expect(SecretReference(parsing: "plain-secret") == nil)
    }

    @Test func secretsNeverPrintTheirValue() {
        let secret = Secret("hunter2")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        let error = SecretResolutionError(reference: .environment("X"), reason: "is not set").at(tenant: "t", org: "o", key: "clientSecret")
        #expect(error.description == "tenant 't' org 'o' key 'clientSecret': env:X is not set")
    }
}
