import PluginAPI
import PluginKit

/// What Genesys' answers mean, as API.md describes them.
///
/// - 2xx: delivered.
/// - 401: the token was refused; renew it and retry.
/// - 429: wait for Retry-After (the host caps it); not Genesys' ill health, so not a breaker failure.
/// - 408, 5xx, timeouts, connection errors: retry with backoff; these do count against the breaker.
/// - 400, 403, 404, 409, 413, 415, 422 and other 4xx: the message can never succeed; dead-letter it with
///   Genesys' error code and the fields it named.
struct DefaultErrorPolicy: ErrorPolicyPlugin {
    static let name = "default"
    static let version = "1.0.0"

    init(settingsJSON: [UInt8], log: PluginLogger) throws(ValidationFailure) {
        _ = try PluginSettings.decode(NoSettings.self, from: settingsJSON, knownKeys: [])
    }

    func decide(_ response: PolicyResponse) -> PolicyDecision {
        switch response.transport {
        case .timeout:
            return PolicyDecision(action: .retry, countsAsBreakerFailure: true, reason: "request to Genesys timed out")
        case .connect:
            return PolicyDecision(action: .retry, countsAsBreakerFailure: true, reason: "could not connect to Genesys")
        case .other:
            return PolicyDecision(action: .retry, countsAsBreakerFailure: true, reason: "transport error talking to Genesys")
        case .none:
            break
        }
        let status = response.statusCode
        if (200..<300).contains(status) {
            return PolicyDecision(action: .delivered, reason: "accepted (HTTP \(status))")
        }
        // Only a refusal's body is an ErrorBody: reading an accepted message's body as one cost 2 % of the
        // gateway's CPU (profile in docs/benchmarks.md).
        let described = "HTTP \(status)" + GenesysErrorSummary(body: response.body).text
        switch status {
        case 401:
            return PolicyDecision(action: .refreshTokenAndRetry, reason: described)
        case 429:
            return PolicyDecision(action: .retry, retryAfterMilliseconds: response.retryAfterMilliseconds, reason: described)
        case 408, 500..<600:
            return PolicyDecision(
                action: .retry, retryAfterMilliseconds: response.retryAfterMilliseconds, countsAsBreakerFailure: true,
                reason: described)
        default:
            return PolicyDecision(action: .deadLetter, reason: described)
        }
    }
}

/// The parts of a Genesys ErrorBody worth putting in a dead-letter reason.
struct GenesysErrorSummary {
    /// ` code: message [fields: a, b]`, or empty when the body is not an ErrorBody.
    let text: String

    init(body: [UInt8]) {
        guard let error = GenesysErrorBody.decode(body) else {
            text = ""
            return
        }
        var text = error.code.map { " \($0)" } ?? ""
        if let message = error.message { text += ": \(message)" }
        if !error.fields.isEmpty { text += " [fields: \(error.fields.joined(separator: ", "))]" }
        self.text = text
    }
}

@_cdecl("ggw_plugin_entry")
public func ggwPluginEntry(_ host: UnsafePointer<ggw_type_host_callbacks>?) -> UnsafeRawPointer? {
    PluginExport.errorPolicy(DefaultErrorPolicy.self, host: host)
}
