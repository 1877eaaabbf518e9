import Foundation
@testable import GatewayCore
@testable import HTTPAPI

/// One call of Genesys' outbound webhook, from raw bytes: the first line is the `X-Hub-Signature-256` header,
/// the rest the body. The signature is checked as `WebhookHandler` checks it; the body is normalized whatever
/// the signature said (libFuzzer cannot forge an HMAC, and the normalizer must be safe on any body anyway).
///
/// A normalized message must encode to the JSON `InboundPublisher` publishes, and that JSON must read back as
/// the same message: an empty or different body on `genesys.inbound` would lose an agent's message.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
    let header = String(decoding: bytes[..<newline], as: UTF8.self)
    let body = Array(bytes[min(newline + 1, bytes.endIndex)...])
    _ = try? WebhookSignature.verify(header: header, body: body, secrets: [Secret("fuzz webhook secret")])

    let org = OrgKey(tenantID: "acme", orgName: "main")
    guard let message = try? AgentMessageNormalizer().normalize(body, org: org, receivedAt: Date()) else { return 0 }
    let published = InboundPublisher.encode(message)
    guard !published.isEmpty else { fatalError("a normalized message does not encode: \(message)") }
    guard let again = try? JSONDecoder().decode(InboundAgentMessage.self, from: Data(published)), again == message else {
        fatalError("a normalized message changes through the published JSON: \(String(decoding: published, as: UTF8.self))")
    }
    return 0
}
