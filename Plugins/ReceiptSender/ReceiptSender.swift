import Foundation
import PluginAPI
import PluginKit

/// Sends the channel side's delivery report on an agent message (message type `receipt`) to Genesys as an
/// Open Messaging receipt, so the agent sees Delivered or Failed.
struct ReceiptSender: SenderPlugin {
    static let name = "receipt"
    static let version = "1.0.0"
    static let messageTypes = ["receipt"]

    static let statuses = ["Sent", "Delivered", "Failed", "Published", "Removed"]
    /// ConversationReason `code` values.
    static let reasonCodes = [
        "MessageExpired", "RateLimited", "MessageNotAllowed", "GeneralError", "UnsupportedMessage", "UnknownMessage",
        "InvalidMessageStructure", "InvalidDestination", "ServerError", "MediaTypeNotAllowed", "InvalidMediaContentLength",
        "RecipientOptedOut", "DataFiltered",
    ]

    init(settingsJSON: [UInt8], log: PluginLogger) throws(ValidationFailure) {
        _ = try PluginSettings.decode(NoSettings.self, from: settingsJSON, knownKeys: [])
    }

    func buildRequest(message bytes: [UInt8], context: OrgContext) -> Result<PluginRequest, ValidationFailure> {
        QueuedReceipt.decode(bytes).flatMap { receipt in
            if let failure = check(receipt) { return .failure(failure) }
            let body = OpenInboundNormalizedReceipt(
                id: receipt.genesysMessageId,
                channel: .init(to: .init(id: receipt.customerId, idType: receipt.customerIdType), time: receipt.createdAt),
                status: receipt.status, reasons: receipt.reasons, isFinalReceipt: receipt.isFinalReceipt)
            return .success(OpenInboundRequest.post(body, endpoint: "receipt", context: context))
        }
    }

    private func check(_ receipt: QueuedReceipt) -> ValidationFailure? {
        guard Self.messageTypes.contains(receipt.type) else {
            return ValidationFailure(field: "type", reason: "message type '\(receipt.type)' is not handled here")
        }
        guard !receipt.genesysMessageId.isEmpty else {
            return ValidationFailure(field: "genesysMessageId", reason: "'genesysMessageId' (Genesys' id of the agent message) must not be empty")
        }
        guard !receipt.customerId.isEmpty else {
            return ValidationFailure(field: "customerId", reason: "'customerId' must not be empty")
        }
        if let idType = receipt.customerIdType, !OpenInboundRequest.idTypes.contains(idType) {
            return ValidationFailure(
                field: "customerIdType",
                reason: "'customerIdType' must be one of \(OpenInboundRequest.idTypes.joined(separator: ", ")), got '\(idType)'")
        }
        guard Self.statuses.contains(receipt.status) else {
            return ValidationFailure(
                field: "status", reason: "'status' must be one of \(Self.statuses.joined(separator: ", ")), got '\(receipt.status)'")
        }
        if let reasons = receipt.reasons, !reasons.isEmpty {
            guard receipt.status == "Failed" else {
                return ValidationFailure(field: "reasons", reason: "'reasons' go only with status 'Failed', got status '\(receipt.status)'")
            }
            for (index, reason) in reasons.enumerated() {
                if let code = reason.code, !Self.reasonCodes.contains(code) {
                    return ValidationFailure(
                        field: "reasons[\(index)].code",
                        reason: "'code' must be one of \(Self.reasonCodes.joined(separator: ", ")), got '\(code)'")
                }
                guard !reason.message.isEmpty else {
                    return ValidationFailure(field: "reasons[\(index)].message", reason: "'message' must not be empty")
                }
            }
        }
        guard OpenInboundRequest.isDateTime(receipt.createdAt) else {
            return ValidationFailure(
                field: "createdAt",
                reason: "'createdAt' must be an ISO-8601 date-time like 2026-11-25T10:00:00Z, got '\(receipt.createdAt)'")
        }
        return nil
    }
}

@_cdecl("ggw_plugin_entry")
public func ggwPluginEntry(_ host: UnsafePointer<ggw_type_host_callbacks>?) -> UnsafeRawPointer? {
    PluginExport.sender(ReceiptSender.self, host: host)
}
