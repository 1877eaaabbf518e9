import GatewayCore
/// How a tenant's secrets (`clientSecret`, `webhookSecret`, `apiKeys`) and its `clientId` may be written: as
/// `env:` / `file:` references, as values, or both.
///
/// Tenant files take references only: they end up in repositories and backups. A tenant service (reached over
/// https or on this machine) sends values; a reference from it would have the gateway read its own environment
/// or files for whoever controls the service (and send what it read as a client secret to a login host), so it
/// takes references only where the operator says so (`--tenant-service-allow-references`).
public enum LiteralSecretPolicy: Sendable, Equatable {
    /// References only; `hint` (if any) says why, after the usual refusal.
    case refused(hint: String?)
    /// A value that is not a reference is the secret itself; references are taken too.
    case accepted
    /// Values only: a reference is refused, `hint` saying why.
    case valuesOnly(hint: String)

    /// Tenant files' rule.
    public static let files = LiteralSecretPolicy.refused(hint: nil)

    /// Whether the config may name files on the gateway's machine other than by `file:` secret (an org's `http.caFile`,
    /// `clientCertFile`, `clientKeyFile`): where a `file:` reference is taken, and only there.
    var readsLocalFiles: Bool {
        if case .valuesOnly = self { return false }
        return true
    }

    /// `text` as a secret: a reference or (when accepted) the value itself; nil when the policy refuses it.
    func secret(from text: String) -> SecretReference? {
        if let reference = SecretReference(parsing: text) {
            if case .valuesOnly = self { return nil }
            return reference
        }
        if case .refused = self { return nil }
        return .inline(Secret(text))
    }

    /// A client id is not secret: a value is always taken, a reference as a secret's would be.
    func clientID(from text: String) -> SecretReference? {
        guard let reference = SecretReference(parsing: text) else { return .literal(text) }
        if case .valuesOnly = self { return nil }
        return reference
    }

    /// Why `what` (`'clientSecret' in org 'main'`, `apiKeys entries`) was refused; never the value.
    func refusal(of what: String) -> String {
        switch self {
        case .valuesOnly(let hint):
            return "\(what) must be a value, not an env: or file: reference: \(hint)"
        case .refused(let hint):
            return "\(what) must be a secret reference 'env:NAME' or 'file:/absolute/path', not a literal value" + (hint.map { ": \($0)" } ?? "")
        case .accepted:
            return "\(what) is not a secret"
        }
    }
}
