public import GatewayYAML
/// One problem in a tenant config, located as `path:line:column: message` (the form editors jump to), or,
/// for a tenant from the tenant service, as `tenant-service:<tenant>:<field path>: message`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var mark: SourceMark?
    /// Where in a JSON tenant the problem is (`orgs[0].rateLimit.burst`); nil for files, which have marks.
    public var field: String?
    public var message: String

    public init(path: String, mark: SourceMark?, field: String? = nil, message: String) {
        self.path = path
        self.mark = mark
        self.field = field
        self.message = message
    }

    public var description: String {
        if let field { return "\(path):\(field): \(message)" }
        guard let mark else { return "\(path): \(message)" }
        return "\(path):\(mark.line):\(mark.column): \(message)"
    }

    /// Orders errors as a reader expects them: by source, then by position in it.
    package static func inReadingOrder(_ lhs: ConfigError, _ rhs: ConfigError) -> Bool {
        (lhs.path, lhs.mark?.line ?? 0, lhs.mark?.column ?? 0, lhs.field ?? "")
            < (rhs.path, rhs.mark?.line ?? 0, rhs.mark?.column ?? 0, rhs.field ?? "")
    }
}

/// Collects every problem found while reading configs, so a run reports all of them, not just the first.
final class ConfigDiagnostics {
    let path: String
    private(set) var errors: [ConfigError] = []

    init(path: String) {
        self.path = path
    }

    func report(_ message: String, at mark: SourceMark?) {
        errors.append(ConfigError(path: path, mark: mark, message: message))
    }
}
