import Crypto
import Foundation
public import GatewayCore

/// Checks the signature Genesys puts on every webhook call:
/// `X-Hub-Signature-256: sha256=<base64(HMAC-SHA256(secret, raw body))>`.
///
/// The MAC is compared in constant time (`HMAC.isValidAuthenticationCode`), so a caller cannot learn the
/// expected signature byte by byte from response times.
public enum WebhookSignature {
    /// The header Genesys signs with.
    public static let headerName = "X-Hub-Signature-256"
    static let prefix = "sha256="

    /// Why a signature was refused. Every case is answered 401; the cases exist for the log.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// No `X-Hub-Signature-256` header.
        case missingHeader
        /// The header does not start with `sha256=`.
        case wrongPrefix
        /// What follows `sha256=` is not base64.
        case badBase64
        /// A well-formed signature that does not match the body and the org's secret.
        case mismatch

        public var description: String {
            switch self {
            case .missingHeader: return "no \(WebhookSignature.headerName) header"
            case .wrongPrefix: return "\(WebhookSignature.headerName) does not start with '\(WebhookSignature.prefix)'"
            case .badBase64: return "\(WebhookSignature.headerName) is not base64 after '\(WebhookSignature.prefix)'"
            case .mismatch: return "\(WebhookSignature.headerName) does not match the body and the org's webhook secret"
            }
        }
    }

    /// Verifies `header` against the raw `body` and the org's `secrets`.
    /// - Parameters:
    ///   - header: the `X-Hub-Signature-256` value as received, nil when absent.
    ///   - body: the request body exactly as received (before any parsing).
    ///   - secrets: the org's webhook secrets: one, or the new and the old during a rotation.
    /// - Returns: which secret signed it (0 for the first listed), so operators see when the old one is unused.
    @discardableResult
    public static func verify(header: String?, body: [UInt8], secrets: [Secret]) throws(Failure) -> Int {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { throw .missingHeader }
        guard header.hasPrefix(prefix) else { throw .wrongPrefix }
        guard let mac = Data(base64Encoded: String(header.dropFirst(prefix.count))) else { throw .badBase64 }
        // Every secret is tried (no early exit), and stand-ins make up the rest of `macsPerRequest`, so the time
        // taken tells neither which secret matched nor how many the org has.
        var matched: Int?
        for (index, secret) in keysTried(for: secrets).enumerated() {
            let key = SymmetricKey(data: Data(secret.reveal().utf8))
            let valid = HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key)
            if valid, index < secrets.count, matched == nil { matched = index }
        }
        guard let matched else { throw .mismatch }
        return matched
    }

    /// MACs computed for every signed request: an org has one webhook secret, or two during a rotation (the
    /// config allows no more), and a URL that names no org is checked against stand-ins alone. Before, an unknown
    /// org took one MAC and an org mid-rotation two, so timing told a caller about the org.
    static let macsPerRequest = 2

    /// Takes the place of a secret an org does not have; a match on it is not one.
    static let standIn = Secret("stand-in webhook key: not any org's")

    /// The org's secrets, then stand-ins up to ``macsPerRequest``: what a check computes a MAC with.
    static func keysTried(for secrets: [Secret]) -> [Secret] {
        Array(secrets.prefix(macsPerRequest)) + Array(repeating: standIn, count: max(0, macsPerRequest - secrets.count))
    }
}
