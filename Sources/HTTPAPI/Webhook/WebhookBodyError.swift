import Foundation
import PluginKit

/// A webhook body the gateway cannot read as a Genesys message, naming the field (a JSON path such as
/// `channel.to.id` or `content[0].attachment.url`; empty when the body is not JSON at all).
public struct WebhookBodyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    init(_ failure: ValidationFailure) {
        self.init(field: failure.field, reason: failure.reason.replacingOccurrences(of: "message is not valid JSON", with: "body is not valid JSON"))
    }

    public var description: String { field.isEmpty ? reason : "\(field): \(reason)" }
}
