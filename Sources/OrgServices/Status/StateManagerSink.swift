import Foundation
public import GatewayCore
public import Logging
public import ServiceLifecycle

/// Reports status events to the platform's state manager: `PUT {base}/messages/{id}/status` with the event
/// as JSON, retried with backoff.
///
/// Never in the way of delivery: ``publish(_:)`` only queues the event (the newest `capacity` are kept if the
/// state manager falls behind), and a ``Service`` sends them. Events without a message id (circuit alerts)
/// are not reported here; every event stays on the `genesys.status` exchange regardless.
public final class StateManagerSink: StatusSink, Service {
    private let baseURL: String
    private let http: any HTTPClient
    private let attempts: Int
    private let retryDelay: Duration
    private let logger: Logger
    private let stream: AsyncStream<StatusEvent>
    private let continuation: AsyncStream<StatusEvent>.Continuation

    public init(baseURL: String, http: any HTTPClient, capacity: Int = 10_000, attempts: Int = 3, retryDelay: Duration = .milliseconds(500), logger: Logger) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.http = http
        self.attempts = attempts
        self.retryDelay = retryDelay
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(capacity))
    }

    public func publish(_ event: StatusEvent) async {
        guard event.messageId != nil else { return }
        continuation.yield(event)
    }

    /// Sends queued events until graceful shutdown (events still queued then are left: they are on RabbitMQ).
    public func run() async throws {
        for await event in stream.cancelOnGracefulShutdown() {
            await report(event)
        }
    }

    /// Stops accepting events (for tests and shutdown).
    public func finish() {
        continuation.finish()
    }

    func report(_ event: StatusEvent) async {
        guard let id = event.messageId else { return }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let path = id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let body = try? encoder.encode(event) else { return }
        let request = HTTPRequest(
            method: "PUT", url: "\(baseURL)/messages/\(path)/status", headers: [("Content-Type", "application/json")],
            body: Array(body), connectTimeout: .seconds(2), totalTimeout: .seconds(5), maxResponseBytes: 64 * 1024)
        for attempt in 1...attempts {
            do {
                let response = try await http.execute(request)
                if (200..<300).contains(response.status) { return }
                if (400..<500).contains(response.status), response.status != 429 {
                    logger.warning("state manager refused a status", metadata: ["message.id": "\(id)", "http.status": "\(response.status)"])
                    return
                }
            } catch is CancellationError {
                return
            } catch {
                // Transport errors are retried like 5xx.
            }
            if attempt < attempts { try? await Task.sleep(for: retryDelay * (1 << (attempt - 1))) }
        }
        logger.warning("state manager unreachable; status left on RabbitMQ only", metadata: ["message.id": "\(id)", "status": "\(event.status.rawValue)"])
    }
}

/// Sends every event to several sinks in turn.
public struct FanOutStatusSink: StatusSink {
    private let sinks: [any StatusSink]

    public init(_ sinks: [any StatusSink]) {
        self.sinks = sinks
    }

    public func publish(_ event: StatusEvent) async {
        for sink in sinks { await sink.publish(event) }
    }
}
