//
// ValidationIssue.swift — GenesysSandbox
// One problem found in a request body; becomes one `details[]` entry of Genesys' ErrorBody.
//

/// One problem in a request body, named by its JSON path (`channel.from.idType`, `content[0].attachment.url`).
public struct ValidationIssue: Sendable, Equatable, CustomStringConvertible {
    /// The `details[].errorCode` value (see `docs/sandbox.md` for the list).
    public let errorCode: String
    /// The `details[].fieldName` value: a dotted JSON path.
    public let fieldName: String
    /// A human-readable sentence, used as the ErrorBody `message` for the first issue.
    public let message: String

    /// `fieldName: errorCode`.
    public var description: String { "\(fieldName): \(errorCode)" }

    static func required(_ path: String) -> ValidationIssue {
        ValidationIssue(errorCode: "required", fieldName: path, message: "\(path) may not be null")
    }

    static func invalidType(_ path: String, expected: String) -> ValidationIssue {
        ValidationIssue(
            errorCode: "invalid.type", fieldName: path, message: "\(path) must be of type \(expected)")
    }

    static func invalidEnum(_ path: String, value: String, allowed: [String]) -> ValidationIssue {
        ValidationIssue(
            errorCode: "invalid.value", fieldName: path,
            message: "Value [\(value)] is not valid for field \(path). Allowable values are: "
                + allowed.joined(separator: ", "))
    }

    static func invalidFormat(_ path: String, format: String) -> ValidationIssue {
        ValidationIssue(
            errorCode: "invalid.format", fieldName: path, message: "\(path) is not a valid \(format)")
    }

    static func unknownProperty(_ path: String) -> ValidationIssue {
        ValidationIssue(
            errorCode: "unrecognized.field", fieldName: path, message: "Unrecognized field \(path)")
    }
}
