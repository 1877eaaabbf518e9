//
// OAuthRoutes.swift — GenesysSandbox
// POST /oauth/token: client credentials with Basic auth and a form body.
//

import Foundation
import Hummingbird

/// The login host's token endpoint.
struct OAuthRoutes {
    let engine: SandboxEngine

    func register(on router: Router<SandboxRequestContext>) {
        router.post("oauth/token") { request, context in
            try await issueToken(request, context: context)
        }
    }

    private func issueToken(_ request: Request, context: SandboxRequestContext) async throws -> Response {
        var request = request
        let form = Self.parseForm(try await request.textBody(limit: 16 * 1024))
        guard let grantType = form["grant_type"], grantType == "client_credentials" else {
            return Self.oauthError(
                status: .badRequest, error: "unsupported_grant_type",
                description: "grant_type must be client_credentials")
        }
        guard let (clientId, secret) = Self.basicCredentials(request) ?? Self.formCredentials(form) else {
            return Self.oauthError(status: .unauthorized, error: "invalid_client", description: "client not found")
        }
        guard let client = engine.directory.clients[clientId] else {
            return Self.oauthError(status: .unauthorized, error: "invalid_client", description: "client not found")
        }
        guard client.secret == secret else {
            return Self.oauthError(status: .unauthorized, error: "invalid_client", description: "authentication failed")
        }
        context.exchange.update { $0.client = client }
        try await FaultGate.apply(
            engine.faults.decide(client: client.id, integration: nil), context: context, stats: engine.stats)
        let (token, expiresIn) = engine.tokens.issue(for: client)
        context.logger.debug("issued token", metadata: ["client.id": .string(client.id)])
        return Response.json([
            "access_token": .string(token), "token_type": "bearer", "expires_in": .int(expiresIn),
        ])
    }

    /// Genesys' OAuth failure body: `error`, `description`, `error_description`.
    static func oauthError(status: HTTPResponse.Status, error: String, description: String) -> Response {
        Response.json(
            ["error": .string(error), "description": .string(description), "error_description": .string(description)],
            status: status)
    }

    static func basicCredentials(_ request: Request) -> (String, String)? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let decoded = String(data: data, encoding: .utf8),
            let colon = decoded.firstIndex(of: ":")
        else { return nil }
        return (String(decoded[..<colon]), String(decoded[decoded.index(after: colon)...]))
    }

    static func formCredentials(_ form: [String: String]) -> (String, String)? {
        guard let id = form["client_id"], let secret = form["client_secret"] else { return nil }
        return (id, secret)
    }

    /// Parses `application/x-www-form-urlencoded`.
    static func parseForm(_ body: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }
}
