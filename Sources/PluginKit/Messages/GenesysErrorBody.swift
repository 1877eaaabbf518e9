import Foundation

/// Genesys' ErrorBody (`open_messaging_models.json`), the parts the gateway and its error policies read.
public struct GenesysErrorBody: Decodable, Sendable, Equatable {
    public struct Detail: Decodable, Sendable, Equatable {
        public var errorCode: String?
        public var fieldName: String?
    }

    public var code: String?
    public var message: String?
    /// Genesys' correlation id, as the body carries it.
    public var contextId: String?
    public var details: [Detail]?

    /// The body of an error response, or nil when it is not an ErrorBody.
    public static func decode(_ bytes: [UInt8]) -> GenesysErrorBody? {
        guard !bytes.isEmpty else { return nil }
        return try? JSONDecoder().decode(GenesysErrorBody.self, from: Data(bytes))
    }

    /// The fields the error names (`details[].fieldName`, or `errorCode` where no field is named).
    public var fields: [String] {
        (details ?? []).compactMap { $0.fieldName ?? $0.errorCode }
    }
}
