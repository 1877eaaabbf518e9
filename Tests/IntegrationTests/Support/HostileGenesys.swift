import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import GatewayTestSupport

/// A login and API host that answers what no real Genesys would, one way per client (login) or integration (API),
/// so a test can point orgs at it and check that the gateway survives each answer with its memory bounded.
/// A real HTTP server on 127.0.0.1 (Hummingbird), counting what it served.
final class HostileGenesys: Sendable {
    /// What a client id's token request, or an integration id's message request, gets.
    enum Answer: Sendable {
        /// A valid token that claims to live 10^16 seconds (the shared-mode crash: `seconds * 1000` overflowed).
        case eternalToken
        /// A token with a negative lifetime.
        case negativeLifetime
        /// 200 with bytes that are no JSON.
        case garbage
        /// 200 announcing and streaming 300 MB, a megabyte at a time, until the client hangs up.
        case hugeBody
        /// 429 with a `Retry-After` of 10^23 seconds and 5,000 headers.
        case floodOfHeaders
        /// A normal token, or a normal receipt.
        case fine
    }

    struct Counts: Sendable {
        var tokens: [String: Int] = [:]
        var messages: [String: Int] = [:]
    }

    static let hugeBodyBytes = 300 << 20

    /// What the server counted; shared with its request handlers.
    private final class Tally: Sendable {
        let counts = Mutex(Counts())
    }

    private let tally: Tally
    private let group: ServiceGroup
    private let running: Task<Void, any Error>
    let baseURL: String

    /// Starts it: `logins` by client id, `messages` by integration id; anyone else gets ``Answer/fine``.
    init(logins: [String: Answer], messages: [String: Answer]) async {
        var logger = Logger(label: "hostile-genesys")
        logger.logLevel = .critical
        let router = Router()
        let tally = Tally()
        self.tally = tally
        router.post("/oauth/token") { request, _ -> Response in
            let client = Self.clientID(request.headers[.authorization]) ?? "?"
            tally.counts.withLock { $0.tokens[client, default: 0] += 1 }
            switch logins[client] ?? .fine {
            case .eternalToken: return Self.json(#"{"access_token":"eternal","token_type":"bearer","expires_in":10000000000000000}"#)
            case .negativeLifetime: return Self.json(#"{"access_token":"negative","token_type":"bearer","expires_in":-86400}"#)
            case .garbage: return Self.garbage()
            case .hugeBody: return Self.huge()
            case .floodOfHeaders: return Self.flood()
            case .fine: return Self.json(#"{"access_token":"fine","token_type":"bearer","expires_in":86400}"#)
            }
        }
        router.post("/api/v2/conversations/messages/:integration/inbound/open/message") { request, context -> Response in
            let integration = context.parameters.get("integration") ?? "?"
            tally.counts.withLock { $0.messages[integration, default: 0] += 1 }
            _ = try await request.body.collect(upTo: 1 << 20)
            switch messages[integration] ?? .fine {
            case .garbage: return Self.garbage()
            case .hugeBody: return Self.huge()
            case .floodOfHeaders: return Self.flood()
            case .eternalToken, .negativeLifetime, .fine:
                return Self.json(#"{"id":"g-\#(UUID().uuidString)","conversationId":"c-1","channel":{"messageId":"x"}}"#)
            }
        }
        let port = PortBox()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: logger)
        let serviceGroup = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        group = serviceGroup
        running = Task { try await serviceGroup.run() }
        baseURL = "http://127.0.0.1:\(await port.wait())"
    }

    var served: Counts { tally.counts.withLock { $0 } }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
    }

    private static func clientID(_ authorization: String?) -> String? {
        guard let authorization, authorization.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(authorization.dropFirst("Basic ".count)))
        else { return nil }
        return String(decoding: decoded, as: UTF8.self).split(separator: ":").first.map(String.init)
    }

    private static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private static func garbage() -> Response {
        let bytes = (0..<10_000).map { _ in UInt8.random(in: 0...255) }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private static func huge() -> Response {
        let chunk = ByteBuffer(repeating: UInt8(ascii: "7"), count: 1 << 20)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(contentLength: hugeBodyBytes) { writer in
                var written = 0
                while written < hugeBodyBytes {
                    try await writer.write(chunk)
                    written += chunk.readableBytes
                }
                try await writer.finish(nil)
            })
    }

    private static func flood() -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .retryAfter: "100000000000000000000000"]
        for index in 0..<5_000 {
            if let name = HTTPField.Name("x-flood-\(index)") { headers[name] = String(repeating: "f", count: 100) }
        }
        return Response(status: .tooManyRequests, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"code":"too.many"}"#)))
    }
}
