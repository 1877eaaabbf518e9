/// One setting of ``HTTPTransportSettings`` a start refuses: which one, its value, and why.
///
/// The same setting has a different name where it was written (`--http-ca-file`, `GGW_HTTP_CA_FILE`, an org's
/// `http.caFile`): ``described(as:)`` puts that name first; ``description`` names the libcurl option.
public struct HTTPTransportSettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the value.
    public enum Problem: Sendable, Hashable {
        case missing
        case notAFile
        case notADirectory
        case unreadable
        /// A client certificate without its key, or the reverse.
        case needs(HTTPTransportSettings.Field)
        case proxyScheme
        case proxyHost
        case proxyPath
        case malformedNoProxy
    }

    public var field: HTTPTransportSettings.Field
    /// The value as written (a proxy's password hidden).
    public var value: String
    public var problem: Problem

    public init(field: HTTPTransportSettings.Field, value: String, problem: Problem) {
        self.field = field
        self.value = value
        self.problem = problem
    }

    /// `name value: reason`, e.g. `--http-ca-file /etc/ggw/ca.pem: does not exist`.
    /// - Parameters:
    ///   - name: what the setting is called where it was written.
    ///   - partner: the same for the setting ``Problem/needs(_:)`` names.
    public func described(as name: String, partner: String? = nil) -> String {
        "\(name) \(value): \(reason(partner: partner))"
    }

    public var description: String { described(as: field.rawValue) }

    private func reason(partner: String?) -> String {
        switch problem {
        case .missing: return "does not exist"
        case .notAFile: return "is a directory, not a file"
        case .notADirectory: return "is not a directory"
        case .unreadable: return "is not readable by this process"
        case .needs(let other): return "needs \(partner ?? other.rawValue) as well (a client certificate goes with its key)"
        case .proxyScheme:
            return "must start with \(HTTPTransportSettings.proxySchemes.map { "\($0)://" }.joined(separator: ", "))"
        case .proxyHost: return "names no proxy host (or holds a space)"
        case .proxyPath: return "must be just the proxy's address: no path, query or fragment"
        case .malformedNoProxy: return "must be host names separated by commas, on one line"
        }
    }
}
