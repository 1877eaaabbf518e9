import GatewayYAML
/// How long messages of each type stay worth sending in an org, and what becomes of one that is not (issue 14:
/// a message that can no longer be useful must not be delivered late).
public struct ExpirySettings: Sendable, Equatable {
    /// Seconds after a message was created (its `createdAt`, else when the gateway first took it) after which a
    /// message of that type is not sent; a type not listed expires only when the message says so (`expiresAt`).
    public var afterSeconds: [String: Int]
    /// Where an expired message goes.
    public var expiredMessages: ExpiredMessageHandling
    /// Every message type the file names under `afterSeconds` (in the tenant's `defaults:` and in the org), where
    /// it names it, so ``TenantConfigValidator`` can point at one no loaded plugin serves.
    public var namedTypes: [Located<String>]

    public init(afterSeconds: [String: Int], expiredMessages: ExpiredMessageHandling, namedTypes: [Located<String>] = []) {
        self.afterSeconds = afterSeconds
        self.expiredMessages = expiredMessages
        self.namedTypes = namedTypes
    }
}

/// Where an expired message goes: kept for inspection and replay in either case, never sent.
public enum ExpiredMessageHandling: String, Sendable, Equatable, CaseIterable {
    /// To the dead-letter queue, like any message that cannot be delivered (the default).
    case deadLetter
    /// To the parking queue, with the messages switched off in config.
    case park
}

extension ExpirySettings {
    static let keys = ["afterSeconds", "expiredMessages"]
    /// The longest default lifetime a file may give: past it the org's retry duration has long dead-lettered the message.
    static let maximumSeconds = 604_800
    /// Written instead of a number to say a type never expires by default (overriding the tenant's `defaults:`).
    static let never = "none"

    /// Reads an `expiry` block over `base`: `afterSeconds` entries replace the base's type by type.
    static func read(_ expiry: MappingReader, over base: ExpirySettings) -> ExpirySettings {
        var settings = base
        if let handling = expiry.string("expiredMessages") {
            if let value = ExpiredMessageHandling(rawValue: handling.value) {
                settings.expiredMessages = value
            } else {
                let known = ExpiredMessageHandling.allCases.map(\.rawValue).joined(separator: " or ")
                expiry.diagnostics.report(
                    "'expiredMessages' in \(expiry.context) must be \(known), got '\(handling.value)'", at: handling.mark)
            }
        }
        for (type, value) in expiry.namedEntries("afterSeconds") ?? [] {
            settings.namedTypes.append(type)
            if case .scalar(Self.never, _, _) = value {
                settings.afterSeconds[type.value] = nil
                continue
            }
            guard case .scalar(let text, true, _) = value, let seconds = Int(text), (1...Self.maximumSeconds).contains(seconds)
            else {
                expiry.diagnostics.report(
                    "'afterSeconds.\(type.value)' in \(expiry.context) must be a whole number of seconds from 1 to \(Self.maximumSeconds), or \(Self.never)",
                    at: value.mark)
                continue
            }
            settings.afterSeconds[type.value] = seconds
        }
        return settings
    }
}
