import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A real tenant service for the tests: serves one document at `GET /tenants` with an ETag, answers 304 to
/// a matching `If-None-Match`, counts what it was asked, and can be stopped mid-test (an outage).
public final class TenantServiceStub: Sendable {
    public struct Counts: Sendable, Equatable {
        public var requests: Int
        /// Requests carrying `If-None-Match`.
        public var conditional: Int
        public var notModified: Int

        public init(requests: Int = 0, conditional: Int = 0, notModified: Int = 0) {
            self.requests = requests
            self.conditional = conditional
            self.notModified = notModified
        }
    }

    /// What the server serves and what it saw; shared with its request handler.
    private final class Served: Sendable {
        struct State {
            var body: String
            var version = 1
            var counts = Counts()
            var authorization: String?
        }

        let state: Mutex<State>

        init(_ document: String) {
            state = Mutex(State(body: document))
        }
    }

    private let served: Served
    private let group: ServiceGroup
    private let running: Task<Void, any Error>
    /// The document's URL.
    public let url: String

    private init(served: Served, group: ServiceGroup, running: Task<Void, any Error>, url: String) {
        self.served = served
        self.group = group
        self.running = running
        self.url = url
    }

    /// Starts a stub on `host` (a free port) serving `document`.
    public static func start(host: String = "127.0.0.1", serving document: String) async -> TenantServiceStub {
        var logger = Logger(label: "tenant-service-stub")
        logger.logLevel = .critical
        let served = Served(document)
        let router = Router()
        router.get("/tenants") { request, _ -> Response in
            let (status, body, etag) = served.state.withLock { state -> (HTTPResponse.Status, String, String) in
                let etag = "\"v\(state.version)\""
                let asked = request.headers[.ifNoneMatch]
                state.counts.requests += 1
                state.authorization = request.headers[.authorization]
                if asked != nil { state.counts.conditional += 1 }
                guard asked != etag else {
                    state.counts.notModified += 1
                    return (.notModified, "", etag)
                }
                return (.ok, state.body, etag)
            }
            return Response(
                status: status, headers: [.eTag: etag, .contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        let port = PortBox()
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: 0)),
            onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let running = Task { try await group.run() }
        return TenantServiceStub(served: served, group: group, running: running, url: "http://\(host):\(await port.wait())/tenants")
    }

    /// Serves `document` from now on, under a new ETag.
    public func serve(_ document: String) {
        served.state.withLock { state in
            state.body = document
            state.version += 1
        }
    }

    public var counts: Counts { served.state.withLock { $0.counts } }
    /// The last request's `Authorization` header.
    public var authorization: String? { served.state.withLock { $0.authorization } }

    /// Stops the server and waits until it no longer listens.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
    }
}
