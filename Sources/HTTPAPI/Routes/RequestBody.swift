import Foundation
import Hummingbird
import NIOCore
import PluginKit

/// Reading request bodies: size-limited, JSON only, with errors that name the offending field.
enum RequestBody {
    static let maxBytes = 1 << 20

    static func bytes(_ request: Request, limit: Int = maxBytes) async throws -> [UInt8] {
        if let type = request.headers[.contentType], !type.lowercased().contains("json") {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "send the body as application/json")
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer: buffer)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "body_too_large", message: "the body is larger than \(limit) bytes")
        }
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from request: Request) async throws -> Value {
        try decode(type, from: try await bytes(request))
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from body: [UInt8]) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(body))
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, !context.codingPath.isEmpty {
                // A value of the right type that is not one of the allowed ones (an enum).
                let failure = ValidationFailure(decodingError: error)
                throw APIError.invalidBody("'\(failure.field)' has a value that is not allowed", field: failure.field)
            }
            let failure = ValidationFailure(decodingError: error)
            throw APIError.invalidBody(failure.reason, field: failure.field.isEmpty ? nil : failure.field)
        }
    }
}
