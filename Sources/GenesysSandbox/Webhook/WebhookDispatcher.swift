//
// WebhookDispatcher.swift — GenesysSandbox
// POSTs agent messages to integration webhooks, signed, retrying on timeout/429/5xx like Genesys.
//

import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Delivers agent messages to `outboundNotificationWebhookUrl`s and keeps a report of each delivery.
///
/// Background deliveries (`enqueue`) run inside this `Service`, so they end with the server:
/// on graceful shutdown, deliveries still retrying are cancelled.
///
/// `https://` webhooks are checked against the system's CAs, as Genesys checks them, unless the policy names a CA
/// file (`--webhook-ca-file`): then against its CAs only, so a test can serve a certificate of its own CA and a
/// certificate from anywhere else still fails.
final class WebhookDispatcher: Service, Sendable {
    private let policy: SandboxConfiguration.WebhookPolicy
    private let clock: any SandboxClock
    private let logger: Logger
    private let reports = NIOLockedValueBox<[DeliveryReport]>([])
    private let queue: AsyncStream<AgentMessage>
    private let queueInput: AsyncStream<AgentMessage>.Continuation
    /// A client of its own that trusts the policy's CAs; nil uses the shared one (system trust). Shut down when
    /// `run()` ends: the server runs this service for as long as it serves.
    private let client: HTTPClient?

    /// - Throws: `SandboxError.invalidConfiguration` when the policy's CA file cannot be read.
    init(policy: SandboxConfiguration.WebhookPolicy, clock: any SandboxClock, logger: Logger) throws {
        self.policy = policy
        self.clock = clock
        self.logger = logger
        (queue, queueInput) = AsyncStream.makeStream()
        client = try policy.caFile.map { path in
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try Self.certificateAuthorities(in: path))
            return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(tlsConfiguration: tls))
        }
    }

    /// The CA certificates in the PEM file at `path`, read once at start.
    private static func certificateAuthorities(in path: String) throws -> [NIOSSLCertificate] {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw SandboxError.invalidConfiguration("--webhook-ca-file \(path): does not exist or is not readable")
        }
        let certificates = try? NIOSSLCertificate.fromPEMFile(path)
        guard let certificates, !certificates.isEmpty else {
            throw SandboxError.invalidConfiguration("--webhook-ca-file \(path): holds no PEM certificate")
        }
        return certificates
    }

    /// Delivers `message` in the background (see `run()`).
    func enqueue(_ message: AgentMessage) {
        queueInput.yield(message)
    }

    /// Runs background deliveries until graceful shutdown, then cancels those still in progress.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await message in queue.cancelOnGracefulShutdown() {
                group.addTask { _ = await self.deliver(message) }
            }
            group.cancelAll()
        }
        try? await client?.shutdown()
    }

    /// Reports of all deliveries so far (finished or still retrying), oldest first.
    func allReports() -> [DeliveryReport] {
        reports.withLockedValue { $0 }
    }

    func resetReports() {
        reports.withLockedValue { $0.removeAll() }
    }

    /// Delivers `message` (first attempt plus up to `policy.retries` retries, `retryIntervalMilliseconds`
    /// apart, on timeout, connection errors, 429 and 5xx). Other 4xx end the delivery as failed.
    func deliver(_ message: AgentMessage) async -> DeliveryReport {
        guard let url = message.integration.webhookURL, let secret = message.integration.webhookSecret else {
            return DeliveryReport(
                messageId: message.id, conversationId: message.conversationId, integrationId: message.integration.id,
                url: "", attempts: [], delivered: false)
        }
        let body = message.payload.serialized()
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Hub-Signature-256", value: WebhookSignature.headerValue(body: body, secret: secret))
        request.body = .bytes(ByteBuffer(bytes: body))
        var report = DeliveryReport(
            messageId: message.id, conversationId: message.conversationId, integrationId: message.integration.id,
            url: url, attempts: [], delivered: false)
        let index = reports.withLockedValue { reports in
            reports.append(report)
            return reports.count - 1
        }
        var logger = logger
        logger[metadataKey: "message.id"] = .string(message.id)
        for attempt in 0...max(0, policy.retries) {
            if attempt > 0 {
                do {
                    try await Task.sleep(for: .milliseconds(policy.retryIntervalMilliseconds))
                } catch {
                    break
                }
            }
            let outcome = await post(request)
            report.attempts.append(DeliveryReport.Attempt(statusCode: outcome.status, error: outcome.error, at: clock.now()))
            if let status = outcome.status, (200..<300).contains(status) { report.delivered = true }
            store(report, at: index)
            if report.delivered { break }
            if let status = outcome.status, status != 429, status < 500 { break }
            logger.debug("webhook attempt failed", metadata: ["attempt": "\(attempt + 1)", "status": "\(outcome.status ?? 0)"])
        }
        if !report.delivered { logger.warning("webhook delivery failed", metadata: ["url": .string(url)]) }
        return report
    }

    private func store(_ report: DeliveryReport, at index: Int) {
        reports.withLockedValue { reports in
            if index < reports.count, reports[index].messageId == report.messageId { reports[index] = report }
        }
    }

    private func post(_ request: HTTPClientRequest) async -> (status: Int?, error: String?) {
        do {
            let response = try await (client ?? HTTPClient.shared).execute(
                request, timeout: .milliseconds(Int64(policy.timeoutMilliseconds)))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), nil)
        } catch {
            return (nil, "\(error)")
        }
    }
}
