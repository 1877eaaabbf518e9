//
// ApiGateMiddleware.swift — GenesysSandbox
// In front of every /api/v2 route: bearer token, rate limit, then injected faults.
//

import Foundation
import Hummingbird
import NIOCore

/// Thrown after the connection-reset fault closed the channel: no response is written.
struct ConnectionResetByFault: Error {}

/// Authenticates the bearer token (401 `authentication.required` / `bad.credentials` /
/// `credentials.expired`), counts the request against the client's limit (429), and applies the
/// faults of the client and of the integration named in the path.
struct ApiGateMiddleware: RouterMiddleware {
    typealias Context = SandboxRequestContext

    let engine: SandboxEngine

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let client = try authenticate(request)
        context.logger[metadataKey: "client.id"] = .string(client.id)
        context.logger[metadataKey: "org.id"] = .string(client.orgId)
        context.exchange.update { $0.client = client }
        engine.stats.recordRequest(clientId: client.id, orgId: client.orgId)
        let standing = engine.rateLimiter.consume(for: client)
        context.exchange.update { $0.standing = standing }
        guard standing.isPermitted else {
            throw GenesysError.tooManyRequests(retryAfter: standing.resetSeconds)
        }
        // Inbound routes are `conversations/messages/:id/inbound/open/...`: there `id` is the integration.
        let integrationId = request.uri.path.contains("/inbound/open/") ? context.parameters.get("id") : nil
        try await FaultGate.apply(
            engine.faults.decide(client: client.id, integration: integrationId), context: context, stats: engine.stats)
        return try await next(request, context)
    }

    private func authenticate(_ request: Request) throws -> ClientRecord {
        guard let header = request.headers[.authorization], header.count > 7,
            header.prefix(7).lowercased() == "bearer "
        else { throw GenesysError.authenticationRequired }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { throw GenesysError.authenticationRequired }
        switch engine.tokens.resolve(token) {
        case .valid(let clientId):
            guard let client = engine.directory.clients[clientId] else { throw GenesysError.badCredentials }
            return client
        case .expired:
            throw GenesysError.credentialsExpired
        case .revoked(let clientId):
            engine.stats.recordInjected(InjectedMark(target: .client(clientId), answer: .revokedToken))
            throw GenesysError.badCredentials
        case .unknown:
            throw GenesysError.badCredentials
        }
    }
}

/// Carries out a `FaultDecision`: sleeps, fails, or resets the connection.
enum FaultGate {
    /// - Parameters:
    ///   - decision: what the injector decided.
    ///   - context: the request's context (its channel is closed by a reset).
    ///   - stats: where the injected answers (and a reset's status) are counted, before the connection closes.
    static func apply(_ decision: FaultDecision, context: SandboxRequestContext, stats: TrafficStats) async throws {
        if decision.delayMilliseconds > 0 {
            try await Task.sleep(for: .milliseconds(decision.delayMilliseconds))
        }
        // Counted as carried out: after the delay, before the answer (or the reset) goes out.
        for mark in decision.injected { stats.recordInjected(mark) }
        switch decision.outcome {
        case .proceed:
            return
        case .fail(let error):
            throw error
        case .resetConnection:
            // SO_LINGER 0 makes close() send RST instead of FIN: the client sees "connection reset".
            stats.recordStatus("reset")
            let channel = context.channel
            if let socket = channel as? any SocketOptionProvider {
                try? await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
            }
            try? await channel.close()
            throw ConnectionResetByFault()
        }
    }
}
