//
// TestHTTP.swift — GenesysSandboxTests
// A small real-HTTP client over AsyncHTTPClient for the contract tests.
//

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

@testable import GenesysSandbox

/// One HTTP response as the tests look at it.
struct TestResponse: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? { headers.first(name: name) }

    /// The `details[].fieldName` values of an ErrorBody.
    var detailFields: [String] { (json["details"]?.arrayValue ?? []).compactMap { $0["fieldName"]?.stringValue } }
}

/// Talks to one sandbox over loopback.
struct TestAPI: Sendable {
    let baseURL: String
    let control: SandboxControl

    init(_ sandbox: RunningSandbox) {
        self.baseURL = sandbox.baseURL
        self.control = sandbox.control
    }

    func send(
        _ method: HTTPMethod, _ path: String, token: String? = nil, body: String? = nil,
        headers: [(String, String)] = [], timeout: TimeAmount = .seconds(10)
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return TestResponse(status: Int(response.status.code), headers: response.headers, body: Array(buffer: buffer))
    }

    func post(_ path: String, token: String?, json: JSONValue) async throws -> TestResponse {
        try await send(.POST, path, token: token, body: json.jsonString)
    }

    /// `POST /oauth/token` with Basic auth.
    func tokenResponse(clientId: String, secret: String, grantType: String = "client_credentials") async throws -> TestResponse {
        let basic = Data("\(clientId):\(secret)".utf8).base64EncodedString()
        var request = HTTPClientRequest(url: baseURL + "/oauth/token")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Basic \(basic)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "grant_type=\(grantType)"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return TestResponse(status: Int(response.status.code), headers: response.headers, body: Array(buffer: buffer))
    }

    /// A fresh access token.
    func token(clientId: String = Fixtures.acmeClient, secret: String = Fixtures.acmeSecret) async throws -> String {
        let response = try await tokenResponse(clientId: clientId, secret: secret)
        guard let token = response.json["access_token"]?.stringValue else {
            throw TestFailure("no token: \(response.status) \(response.text)")
        }
        return token
    }

    func inboundPath(_ integrationId: String, _ endpoint: String = "message") -> String {
        "/api/v2/conversations/messages/\(integrationId)/inbound/open/\(endpoint)"
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
