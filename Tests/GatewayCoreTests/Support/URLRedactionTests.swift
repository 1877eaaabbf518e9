import Testing

@testable import GatewayCore

@Suite struct URLRedactionTests {
    @Test func masksThePasswordAndKeepsEverythingElse() {
        #expect(URLRedaction.hidingPassword(in: "amqp://user:secret@host") == "amqp://user:***@host")
        #expect(URLRedaction.hidingPassword(in: "amqps://gateway:p%40ss@broker.example:5671/%2F?heartbeat=10")
            == "amqps://gateway:***@broker.example:5671/%2F?heartbeat=10")
        #expect(URLRedaction.hidingPassword(in: "amqp://user:@host/") == "amqp://user:***@host/")
    }

    @Test func leavesURLsWithoutAPasswordAlone() {
        for url in ["amqp://guest@host:5672/%2F", "amqp://host:5672/%2F", "amqp://", "", "not a url"] {
            #expect(URLRedaction.hidingPassword(in: url) == url)
        }
    }

    @Test func anAtSignLaterInTheURLDoesNotUnmaskThePassword() {
        #expect(URLRedaction.hidingPassword(in: "amqp://user:secret@host/v?x=a@b") == "amqp://user:***@host/v?x=a@b")
    }

    /// Such URLs are refused by the broker client, and its error may quote them: hiding too much beats leaking.
    @Test func aMalformedPasswordIsHiddenWhole() {
        #expect(URLRedaction.hidingPassword(in: "amqp://user:se/cr@t@host") == "amqp://user:***@host")
        #expect(URLRedaction.hidingPassword(in: "user:secret@host") == "user:***@host")
    }

    /// Issue 25: a transport error named the request's URL whole, so a base URL with `user:password@` put the
    /// password in every log line about a failed call.
    @Test func aTransportErrorNamesItsURLWithThePasswordHidden() {
        let error = TransportError(kind: .connection, message: "refused", url: "https://svc:p4ss@api.example.test:8443/api/v2/x?a=b")
        #expect(!error.description.contains("p4ss"))
        #expect(error.url == "https://svc:***@api.example.test:8443/api/v2/x?a=b")
    }
}
