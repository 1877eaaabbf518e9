public import Foundation

/// Turns a ``SecretReference`` into a ``Secret``.
public protocol SecretResolving: Sendable {
    func resolve(_ reference: SecretReference) throws(SecretResolutionError) -> Secret
}

/// Which secret could not be resolved, and why. Names the tenant, org and key, never the secret.
public struct SecretResolutionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reference: SecretReference
    public var reason: String
    public var tenantID: String?
    public var orgName: String?
    public var key: String?

    public init(reference: SecretReference, reason: String, tenantID: String? = nil, orgName: String? = nil, key: String? = nil) {
        self.reference = reference
        self.reason = reason
        self.tenantID = tenantID
        self.orgName = orgName
        self.key = key
    }

    /// The same error, placed: which tenant, org and config key asked for the secret.
    public func at(tenant: String, org: String?, key: String) -> SecretResolutionError {
        var copy = self
        copy.tenantID = tenant
        copy.orgName = org
        copy.key = key
        return copy
    }

    public var description: String {
        var place = tenantID.map { "tenant '\($0)'" } ?? "secret"
        if let orgName { place += " org '\(orgName)'" }
        if let key { place += " key '\(key)'" }
        return "\(place): \(reference) \(reason)"
    }
}

/// Resolves `env:` from an environment (the process's by default) and `file:` from disk.
public struct SecretResolver: SecretResolving {
    private let environment: [String: String]
    private let maxFileBytes = 64 * 1024

    /// - Parameter environment: the variables `env:` references read; tests pass their own.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public func resolve(_ reference: SecretReference) throws(SecretResolutionError) -> Secret {
        switch reference {
        case .literal(let value):
            return Secret(value)
        case .inline(let secret):
            return secret
        case .environment(let name):
            guard let value = environment[name] else {
                throw SecretResolutionError(reference: reference, reason: "is not set")
            }
            guard !value.isEmpty else { throw SecretResolutionError(reference: reference, reason: "is empty") }
            return Secret(value)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SecretResolutionError(reference: reference, reason: "cannot be read")
            }
            guard data.count <= maxFileBytes else {
                throw SecretResolutionError(reference: reference, reason: "is larger than \(maxFileBytes) bytes")
            }
            // A trailing newline is how editors and `echo` write files; it is never part of the secret.
            let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            guard !value.isEmpty else { throw SecretResolutionError(reference: reference, reason: "is empty") }
            return Secret(value)
        }
    }
}
