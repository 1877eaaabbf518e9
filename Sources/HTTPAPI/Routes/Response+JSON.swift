import Foundation
import Hummingbird
import NIOCore

extension Response {
    /// `value` as a JSON response.
    static func json(_ value: some Encodable, status: HTTPStatus = .ok) throws -> Response {
        let body = try JSONEncoder.api.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Raw JSON bytes (Genesys' own answer passed through inside ours).
    static func rawJSON(_ bytes: [UInt8], status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
