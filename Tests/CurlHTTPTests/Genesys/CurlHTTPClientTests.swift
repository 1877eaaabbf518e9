import Foundation
import Testing
@testable import GatewayCore
@testable import CurlHTTP

/// Integration: the libcurl multi client against a real HTTP server on 127.0.0.1.
@Suite(.timeLimit(.minutes(1))) struct CurlHTTPClientTests {
    @Test func sendsMethodHeadersAndBodyAndReadsStatusHeadersAndBody() async throws {
        try await EchoServer.run { port in
            let client = CurlHTTPClient()
            defer { Task { await client.shutdown() } }
            let response = try await client.execute(HTTPRequest(
                method: "POST", url: "http://127.0.0.1:\(port)/echo?status=201&retryAfter=7",
                headers: [("X-Test", "yes"), ("Content-Type", "application/json")], body: Array(#"{"a":1}"#.utf8)))
            #expect(response.status == 201)
            #expect(response.correlationID == "corr-201")
            #expect(response.retryAfter == .seconds(7))
            let echo = try JSONDecoder().decode(EchoServer.Echo.self, from: Data(response.body))
            #expect(echo.method == "POST")
            #expect(echo.body == #"{"a":1}"#)
            #expect(echo.testHeader == "yes")

            let patch = try await client.execute(HTTPRequest(method: "PATCH", url: "http://127.0.0.1:\(port)/echo", body: Array("{}".utf8)))
            #expect(try JSONDecoder().decode(EchoServer.Echo.self, from: Data(patch.body)).method == "PATCH")
            let get = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/echo?status=404"))
            #expect(get.status == 404)
            #expect(try JSONDecoder().decode(EchoServer.Echo.self, from: Data(get.body)).method == "GET")
        }
    }

    /// Easy handles are kept between requests (``CurlEasyHandlePool``): one kept handle carries nothing of the
    /// request it served before.
    @Test func aKeptHandleCarriesNothingOfItsLastRequest() async throws {
        try await EchoServer.run { port in
            let client = CurlHTTPClient(idleHandles: 1)
            defer { Task { await client.shutdown() } }
            let post = try await client.execute(HTTPRequest(
                method: "POST", url: "http://127.0.0.1:\(port)/echo?status=201",
                headers: [("X-Test", "first")], body: Array(#"{"first":true}"#.utf8)))
            #expect(post.status == 201)
            let get = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/echo"))
            #expect(get.status == 200)
            let echo = try JSONDecoder().decode(EchoServer.Echo.self, from: Data(get.body))
            #expect(echo.method == "GET")
            #expect(echo.testHeader == nil)
            #expect(echo.body.isEmpty)
            #expect(get.correlationID == "corr-200")
        }
    }

    @Test func manyRequestsAreInFlightAtOnceOnOneThread() async throws {
        try await EchoServer.run { port in
            let client = CurlHTTPClient()
            defer { Task { await client.shutdown() } }
            let started = ContinuousClock.now
            // 200 requests that each take 200 ms finish in far less than 200 × 200 ms only if they overlap.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/slow?ms=200")).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 200)
            #expect(statuses.allSatisfy { $0 == 200 })
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test func aSlowServerTimesOut() async throws {
        try await EchoServer.run { port in
            let client = CurlHTTPClient()
            defer { Task { await client.shutdown() } }
            let error = await #expect(throws: TransportError.self) {
                try await client.execute(HTTPRequest(
                    method: "GET", url: "http://127.0.0.1:\(port)/slow?ms=2000", totalTimeout: .milliseconds(200)))
            }
            #expect(error?.kind == .timeout)
        }
    }

    @Test func aClosedPortIsAConnectionError() async throws {
        let client = CurlHTTPClient()
        defer { Task { await client.shutdown() } }
        // Port 1 on loopback has no listener: the connection is refused at once.
        let error = await #expect(throws: TransportError.self) {
            try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:1/"))
        }
        #expect(error?.kind == .connection)
        #expect(error?.url == "http://127.0.0.1:1/")
    }

    @Test func cancellingTheCallerAbandonsTheTransfer() async throws {
        try await EchoServer.run { port, arrivals in
            let client = CurlHTTPClient()
            defer { Task { await client.shutdown() } }
            let task = Task { try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/slow?ms=5000")) }
            // Cancelled once the server has the request: the transfer is under way, not still waiting to start.
            try await EchoServer.waitUntilArrived(arrivals)
            let started = ContinuousClock.now
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }

    @Test func shutdownFailsWhatIsInFlightAndRefusesNewWork() async throws {
        try await EchoServer.run { port, arrivals in
            let client = CurlHTTPClient()
            let task = Task { try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/slow?ms=5000")) }
            try await EchoServer.waitUntilArrived(arrivals)  // in flight: the server has the request
            await client.shutdown()
            await #expect(throws: CancellationError.self) { try await task.value }
            await #expect(throws: TransportError.self) {
                try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/echo"))
            }
        }
    }

    /// Every caller of `shutdown()` returns, however many wait at once (each waiter is kept, not only the last).
    @Test func concurrentShutdownsAllReturn() async throws {
        try await EchoServer.run { port, arrivals in
            let client = CurlHTTPClient()
            let task = Task { try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/slow?ms=5000")) }
            try await EchoServer.waitUntilArrived(arrivals)  // in flight: the server has the request
            let started = ContinuousClock.now
            await withDiscardingTaskGroup { group in
                for _ in 0..<8 { group.addTask { await client.shutdown() } }
            }
            #expect(ContinuousClock.now - started < .seconds(2))
            await #expect(throws: CancellationError.self) { try await task.value }
        }
    }

    /// Issue 25: a response body is read up to the request's limit; past it the call fails cleanly, announced
    /// (Content-Length: refused before the body) or not (chunked: cut off at the limit), and nothing beyond the
    /// limit is held — a 300 MB answer costs the gateway 64 KiB.
    @Test(arguments: [false, true])
    func aBodyPastTheRequestsLimitFailsTheCall(announced: Bool) async throws {
        try await EchoServer.run { port in
            let client = CurlHTTPClient()
            defer { Task { await client.shutdown() } }
            let url = "http://127.0.0.1:\(port)/big?bytes=\(300 << 20)&announced=\(announced ? 1 : 0)"
            let started = ContinuousClock.now
            let error = await #expect(throws: TransportError.self) {
                try await client.execute(HTTPRequest(method: "GET", url: url, totalTimeout: .seconds(20), maxResponseBytes: 64 * 1024))
            }
            #expect(error == .responseTooLarge(limit: 64 * 1024, url: url))
            #expect(ContinuousClock.now - started < .seconds(10), "the client read on past its limit")
            let fits = try await client.execute(HTTPRequest(
                method: "GET", url: "http://127.0.0.1:\(port)/big?bytes=\(64 * 1024)&announced=\(announced ? 1 : 0)", maxResponseBytes: 64 * 1024))
            #expect(fits.status == 200 && fits.body.count == 64 * 1024)
        }
    }
}
