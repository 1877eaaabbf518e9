//
// WebhookSignature.swift — GenesysSandbox
// X-Hub-Signature-256: sha256=<base64(HMAC-SHA256(secret, raw body))>.
//

import Crypto
import Foundation

/// The signature Genesys puts on outbound webhook calls.
public enum WebhookSignature {
    /// `sha256=` followed by the base64 HMAC-SHA256 of `body` keyed with `secret`.
    /// - Parameters:
    ///   - body: the raw request body, exactly as sent.
    ///   - secret: the integration's webhook secret.
    public static func headerValue<Body: Sequence<UInt8>>(body: Body, secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body), using: key)
        return "sha256=" + Data(mac).base64EncodedString()
    }
}
