import GatewayCore
import Synchronization

/// An ``HTTPClient`` double: answers each request with a scripted closure and records what it was asked.
///
/// For unit tests of code above the client (the token store, say); integration tests use the real
/// ``CurlHTTPClient`` against the sandbox instead.
public final class ScriptedHTTPClient: HTTPClient {
    private let script: @Sendable (HTTPRequest) async throws -> HTTPResponse
    private let recorded = Collected<HTTPRequest>()

    public init(_ script: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        self.script = script
    }

    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        recorded.append(request)
        let response = try await script(request)
        // As ``CurlHTTPClient`` does: a body past the request's limit fails the call.
        guard response.body.count <= request.maxResponseBytes else {
            throw TransportError.responseTooLarge(limit: request.maxResponseBytes, url: request.url)
        }
        return response
    }

    /// Every request made so far, in order.
    public var requests: [HTTPRequest] { recorded.all }
}

/// A gate tests open to let waiting tasks go on (e.g. to hold a token request in flight).
public final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init() {}

    public func wait() async {
        await withCheckedContinuation { continuation in
            let resume = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resume { continuation.resume() }
        }
    }

    public func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    /// How many tasks are waiting at the gate.
    public var waiting: Int { state.withLock { $0.waiters.count } }
}
