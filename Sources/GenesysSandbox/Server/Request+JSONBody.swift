//
// Request+JSONBody.swift — GenesysSandbox
// Reading a JSON body with Genesys' answers for too large (413), wrong type (415) and bad JSON (400).
//

import Hummingbird
import NIOCore

extension Request {
    /// The body parsed as JSON.
    /// - Parameter limit: largest body accepted.
    /// - Throws: `GenesysError` 413, 415 or 400.
    mutating func jsonBody(limit: Int) async throws -> JSONValue {
        if let type = headers[.contentType], !type.lowercased().contains("json") {
            throw GenesysError.unsupportedMediaType
        }
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw GenesysError.payloadTooLarge
        }
        do {
            return try buffer.withUnsafeReadableBytes { raw throws(JSONParseError) in try JSONValue.parse(raw) }
        } catch {
            throw GenesysError.badRequest(
                "The request could not be understood by the server due to malformed syntax: expected "
                    + "\(error.reason) at byte \(error.offset).")
        }
    }

    /// The raw body as a string (for form bodies).
    mutating func textBody(limit: Int) async throws -> String {
        do {
            let buffer = try await collectBody(upTo: limit)
            return String(buffer: buffer)
        } catch is NIOTooManyBytesError {
            throw GenesysError.payloadTooLarge
        }
    }
}

extension Response {
    /// A JSON response.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let bytes = value.serialized()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
