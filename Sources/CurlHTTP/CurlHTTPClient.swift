public import GatewayCore
import Synchronization

/// The gateway's HTTP client: libcurl's multi interface on one event-loop thread, async/await on top.
///
/// One client serves every org, so hundreds of requests can be in flight without a thread each, and
/// connections to a host are kept alive and reused. Call ``shutdown()`` before releasing it.
public final class CurlHTTPClient: HTTPClient {
    private let loop: CurlMultiLoop
    private let nextID = Atomic<Int>(0)
    private let handles: CurlEasyHandlePool
    /// CAs, client certificate and proxy of every request; a request's own ``HTTPRequest/transport`` goes over them.
    public let transport: HTTPTransportSettings

    /// - Parameters:
    ///   - maxConnectionsPerHost: connections kept per host (HTTP/1.1 uses one per concurrent request).
    ///   - idleHandles: easy handles kept for the next requests (each holds its buffers: see ``CurlEasyHandlePool``).
    ///   - transport: TLS and proxy settings for every request (checked by the caller: ``HTTPTransportSettings/problems()``).
    public init(maxConnectionsPerHost: Int = 64, idleHandles: Int = 64, transport: HTTPTransportSettings = HTTPTransportSettings()) {
        loop = CurlMultiLoop(settings: .init(maxConnectionsPerHost: maxConnectionsPerHost))
        handles = CurlEasyHandlePool(capacity: idleHandles)
        self.transport = transport
    }

    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let id = nextID.add(1, ordering: .relaxed).newValue
        let transfer = try CurlTransfer(
            id: id, request: request, transport: transport.overridden(by: request.transport), handles: handles)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.attach(continuation)
                if Task.isCancelled {
                    transfer.fail(CancellationError())
                } else if !loop.submit(transfer) {
                    transfer.fail(TransportError(kind: .other, message: loop.startFailure ?? "HTTP client is shut down", url: request.url))
                }
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// Stops the event loop; requests still in flight fail with `CancellationError`.
    public func shutdown() async {
        await loop.shutdown()
    }
}
