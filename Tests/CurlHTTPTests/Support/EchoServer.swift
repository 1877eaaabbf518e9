import Foundation
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A small real HTTP server on 127.0.0.1 for the HTTP client's tests: it echoes what it got and can answer
/// slowly, with any status and headers, or with a body of any size (`/big`).
enum EchoServer {
    struct Echo: Codable, Sendable {
        var method: String
        var path: String
        var body: String
        var testHeader: String?
    }

    /// Starts the server on a free port, runs `body` with the port, then stops the server.
    static func run<T: Sendable>(_ body: @Sendable @escaping (Int) async throws -> T) async throws -> T {
        try await run { port, _ in try await body(port) }
    }

    /// Starts the server on a free port, runs `body` with the port and the requests `/slow` has received so far
    /// (each counted as it arrives, before its wait: a transfer that has started), then stops the server.
    static func run<T: Sendable>(_ body: @Sendable @escaping (Int, Collected<Int>) async throws -> T) async throws -> T {
        let arrivals = Collected<Int>()
        let router = Router()
        router.on("/echo", method: .get, use: echo)
        router.on("/echo", method: .post, use: echo)
        router.on("/echo", method: .patch, use: echo)
        router.get("/big", use: big)
        router.get("/slow") { request, _ -> Response in
            arrivals.append(1)
            let milliseconds = request.uri.queryParameters.get("ms", as: Int.self) ?? 1000
            try await Task.sleep(for: .milliseconds(milliseconds))
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "late")))
        }
        let port = PortBox()
        var logger = Logger(label: "echo-server")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: logger)
        return try await TestServer.run(app, logger: logger) {
            try await body(await port.wait(), arrivals)
        }
    }

    /// Waits until `/slow` has received `count` requests (at most 5 s): their transfers are under way.
    static func waitUntilArrived(_ arrivals: Collected<Int>, count: Int = 1) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while arrivals.all.count < count {
            guard ContinuousClock.now < deadline else {
                throw NotArrived(description: "/slow received \(arrivals.all.count) of \(count) requests within 5 s")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    struct NotArrived: Error, CustomStringConvertible {
        var description: String
    }

    /// `bytes` bytes of `a`, streamed in 64 KiB pieces (as a hostile server streams a huge body), with a
    /// Content-Length when `announced=1`, chunked otherwise. The stream ends early once the client hangs up.
    @Sendable static func big(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let total = request.uri.queryParameters.get("bytes", as: Int.self) ?? 0
        let piece = ByteBuffer(repeating: UInt8(ascii: "a"), count: 64 * 1024)
        var headers = HTTPFields()
        if request.uri.queryParameters.get("announced") == "1" { headers[.contentLength] = "\(total)" }
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var sent = 0
            while sent < total {
                let count = min(piece.readableBytes, total - sent)
                try await writer.write(piece.getSlice(at: 0, length: count) ?? piece)
                sent += count
            }
            try await writer.finish(nil)
        })
    }

    @Sendable static func echo(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        let echo = Echo(
            method: request.method.rawValue, path: request.uri.path, body: String(buffer: body),
            testHeader: request.headers[HTTPField.Name("X-Test")!])
        let status = request.uri.queryParameters.get("status", as: Int.self) ?? 200
        var headers = HTTPFields()
        headers[HTTPField.Name("ININ-Correlation-Id")!] = "corr-\(status)"
        if let retryAfter = request.uri.queryParameters.get("retryAfter") {
            headers[HTTPField.Name("Retry-After")!] = retryAfter
        }
        return Response(
            status: .init(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(data: try JSONEncoder().encode(echo))))
    }
}
