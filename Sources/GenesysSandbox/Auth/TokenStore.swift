//
// TokenStore.swift — GenesysSandbox
// Opaque bearer tokens: issue, resolve (valid / unknown / expired), revoke per client.
//

import Foundation
import NIOConcurrencyHelpers

/// What a bearer token turned out to be.
enum TokenResolution: Sendable {
    case valid(clientId: String)
    case unknown
    case expired
    /// Revoked through `revoke-tokens` (answered like an unknown one, `bad.credentials`, and counted).
    case revoked(clientId: String)
}

/// Issued tokens and their expiry. Expired tokens are kept (for a while) so they can be told
/// apart from unknown ones: `credentials.expired` versus `bad.credentials`.
final class TokenStore: Sendable {
    private struct Token: Sendable {
        let clientId: String
        let expiresAt: Date
    }

    private struct State: Sendable {
        var tokens: [String: Token] = [:]
        /// Prune long-expired tokens when the table grows past this; doubles with the live count.
        var pruneAt = 50_000
        /// Revoked tokens and their clients, to count the 401s they get; forgotten past ``revokedMemory``.
        var revoked: [String: String] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let clock: any SandboxClock
    /// Expired tokens older than this are forgotten (and then answer `bad.credentials`).
    private static let expiredRetention: TimeInterval = 86400
    /// Revoked tokens remembered at most; beyond it they are all forgotten (and then answer `bad.credentials`
    /// without being counted as revoked).
    private static let revokedMemory = 100_000

    init(clock: any SandboxClock) {
        self.clock = clock
    }

    /// Issues a new token for `client`.
    /// - Returns: the token and its lifetime in seconds.
    func issue(for client: ClientRecord) -> (token: String, expiresIn: Int) {
        let now = clock.now()
        let token = Self.randomToken()
        let expiresAt = now.addingTimeInterval(TimeInterval(client.tokenLifetimeSeconds))
        state.withLockedValue { state in
            if state.tokens.count > state.pruneAt {
                state.tokens = state.tokens.filter { $0.value.expiresAt.addingTimeInterval(Self.expiredRetention) > now }
                state.pruneAt = max(50_000, state.tokens.count * 2)
            }
            state.tokens[token] = Token(clientId: client.id, expiresAt: expiresAt)
        }
        return (token, client.tokenLifetimeSeconds)
    }

    /// Looks up a presented token.
    func resolve(_ token: String) -> TokenResolution {
        let now = clock.now()
        let (record, revokedFor) = state.withLockedValue { ($0.tokens[token], $0.revoked[token]) }
        guard let record else { return revokedFor.map { .revoked(clientId: $0) } ?? .unknown }
        return record.expiresAt > now ? .valid(clientId: record.clientId) : .expired
    }

    /// Invalidates every current token of `clientId`; they then answer `bad.credentials`.
    /// - Returns: how many tokens were revoked.
    @discardableResult
    func revokeAll(clientId: String) -> Int {
        state.withLockedValue { state in
            let revoked = state.tokens.filter { $0.value.clientId == clientId }
            if state.revoked.count + revoked.count > Self.revokedMemory { state.revoked.removeAll() }
            for token in revoked.keys {
                state.tokens.removeValue(forKey: token)
                state.revoked[token] = clientId
            }
            return revoked.count
        }
    }

    private static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<3).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
