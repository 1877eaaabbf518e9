//
// SandboxError.swift — GenesysSandbox
// Errors of the sandbox itself (configuration, startup), as opposed to Genesys API errors.
//

/// A problem starting or configuring the sandbox.
public struct SandboxError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Equatable, Sendable {
        case invalidConfiguration
        case invalidModels
        case serverDidNotStart
    }

    private let code: Code
    /// What went wrong, for people.
    public let reason: String

    /// The reason.
    public var description: String { reason }

    /// The configuration (file or flags) is not usable.
    public static func invalidConfiguration(_ reason: String) -> SandboxError {
        SandboxError(code: .invalidConfiguration, reason: reason)
    }

    /// The model definitions could not be loaded.
    public static func invalidModels(_ reason: String) -> SandboxError {
        SandboxError(code: .invalidModels, reason: reason)
    }

    /// The HTTP server stopped before it bound its port.
    public static func serverDidNotStart(_ reason: String) -> SandboxError {
        SandboxError(code: .serverDidNotStart, reason: reason)
    }

    /// Errors are equal when their kind is, whatever the reason text.
    public static func == (lhs: SandboxError, rhs: SandboxError) -> Bool { lhs.code == rhs.code }
}
