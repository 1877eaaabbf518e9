/// One problem in a tenant config, located as `path:line:column: message` (the form editors jump to).
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var mark: SourceMark?
    public var message: String

    public init(path: String, mark: SourceMark?, message: String) {
        self.path = path
        self.mark = mark
        self.message = message
    }

    public var description: String {
        guard let mark else { return "\(path): \(message)" }
        return "\(path):\(mark.line):\(mark.column): \(message)"
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
