import GatewayCore
/// Whether a tenant's secrets (`clientSecret`, `webhookSecret`, `apiKeys`) may be written as values rather
/// than `env:` / `file:` references.
///
/// Tenant files never may: they end up in repositories and backups. A tenant service may, when its answer
/// cannot have been read on the way: over https, or from this machine (docs/tenant-service.md).
public enum LiteralSecretPolicy: Sendable, Equatable {
    /// References only; `hint` (if any) says why, after the usual refusal.
    case refused(hint: String?)
    /// A value that is not a reference is the secret itself.
    case accepted

    /// Tenant files' rule.
    public static let files = LiteralSecretPolicy.refused(hint: nil)

    /// `text` as a secret: a reference, or (when accepted) the value itself; nil when refused.
    func secret(from text: String) -> SecretReference? {
        if let reference = SecretReference(parsing: text) { return reference }
        guard case .accepted = self else { return nil }
        return .inline(Secret(text))
    }

    /// Why a value was refused, appended to the refusal; never the value.
    var refusalHint: String {
        guard case .refused(let hint?) = self else { return "" }
        return ": \(hint)"
    }
}
