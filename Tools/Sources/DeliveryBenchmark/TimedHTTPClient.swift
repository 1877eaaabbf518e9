import GatewayCore

/// The real HTTP client, with the moments the delivery core called it and got the answer back stamped on
/// the message's ``MessageProbe``.
///
/// The difference between that span and libcurl's own total time (`HTTPResponse.duration`) is the time
/// the request spent in the client's hand-over to the curl-multi thread and back to the caller's task.
struct TimedHTTPClient: HTTPClient {
    let base: any HTTPClient
    let clock: any MonotonicClock

    func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let probe = MessageProbe.current.get()
        probe?.stamp(.httpCalled, clock.now())
        defer { probe?.stamp(.httpReturned, clock.now()) }
        return try await base.execute(request)
    }
}
