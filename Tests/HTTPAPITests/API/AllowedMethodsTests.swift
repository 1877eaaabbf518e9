import Testing
@testable import HTTPAPI

/// Which methods a path is served with, matched as Hummingbird's router matches paths: what the 405 answer's
/// `Allow` header lists.
@Suite struct AllowedMethodsTests {
    static let allowed = AllowedMethods(routes: [
        ("/v1/messages", .post),
        ("/v1/messages/async", .post),
        ("/v1/messages/:id", .get),
        ("/v1/conversations/:id", .get),
        ("/v1/conversations/:id/close", .post),
        ("/health", .get),
        ("/admin/reload", .post),
    ])

    @Test func aLiteralSegmentWinsOverAParameter() {
        #expect(Self.allowed.methods(for: "/v1/messages/async") == [.post])
        #expect(Self.allowed.methods(for: "/v1/messages/m-1") == [.get, .head])
    }

    @Test func getBringsHeadAndSeveralRoutesOnOnePathAreJoined() {
        // `{id}` is how Hummingbird describes a registered `:id`.
        let joined = AllowedMethods(routes: [("/things/{id}", .get), ("/things/:id", .delete)])
        #expect(joined.methods(for: "/things/7") == [.delete, .get, .head])
        #expect(Self.allowed.methods(for: "/health") == [.get, .head])
        #expect(Self.allowed.methods(for: "/admin/reload") == [.post])
    }

    @Test func unknownPathsAndSegmentCountsMatchNothing() {
        #expect(Self.allowed.methods(for: "/v1/nothing") == nil)
        #expect(Self.allowed.methods(for: "/v1/conversations/c-1/close/now") == nil)
        #expect(Self.allowed.methods(for: "/") == nil)
        #expect(Self.allowed.methods(for: "/v1/conversations/c-1/close") == [.post])
    }
}
