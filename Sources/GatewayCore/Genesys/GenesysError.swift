import PluginKit

/// A refusal from Genesys, with everything needed to act on it and trace it: the HTTP status, Genesys'
/// error code and message, the fields it named, the correlation id, and the tenant and org it concerned.
public struct GenesysError: Error, Sendable, Equatable, CustomStringConvertible {
    public var org: OrgKey
    public var status: Int
    /// Genesys' `code`, e.g. `bad.request`, `not.found`, `too.many.requests.retry.after`.
    public var code: String?
    public var message: String?
    /// `details[].fieldName` (or `errorCode` where no field is named).
    public var fields: [String]
    /// `ININ-Correlation-Id` (or the body's `contextId`).
    public var correlationID: String?

    public init(org: OrgKey, status: Int, code: String? = nil, message: String? = nil, fields: [String] = [], correlationID: String? = nil) {
        self.org = org
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.correlationID = correlationID
    }

    /// Reads Genesys' ErrorBody from a response; the status and correlation id come from the response itself.
    public init(org: OrgKey, response: HTTPResponse) {
        let body = GenesysErrorBody.decode(response.body)
        self.init(
            org: org, status: response.status, code: body?.code, message: body?.message, fields: body?.fields ?? [],
            correlationID: response.correlationID ?? body?.contextId)
    }

    public var description: String {
        var text = "Genesys \(status)"
        if let code { text += " \(code)" }
        if let message { text += ": \(message)" }
        if !fields.isEmpty { text += " [fields: \(fields.joined(separator: ", "))]" }
        text += " (org \(org)"
        if let correlationID { text += ", correlation \(correlationID)" }
        return text + ")"
    }
}
