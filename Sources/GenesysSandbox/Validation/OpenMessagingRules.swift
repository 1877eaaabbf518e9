//
// OpenMessagingRules.swift — GenesysSandbox
// The documented rules the model definitions cannot express.
//

/// Rules from Genesys' documentation that the schema has no way to say.
enum OpenMessagingRules {
    /// Maximum `textBody` length of an agentless message.
    static let maxAgentlessTextLength = 2000

    /// Inbound message: at least one of `text` or `content`; at most ONE attachment; each content
    /// entry carries its attachment.
    static func inboundMessage(_ body: JSONValue) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        let text = body["text"]?.stringValue ?? ""
        let content = body["content"]?.arrayValue ?? []
        if text.isEmpty && content.isEmpty {
            issues.append(
                ValidationIssue(
                    errorCode: "required", fieldName: "text",
                    message: "A message needs text or content: supply at least one of them"))
        }
        if content.count > 1 {
            issues.append(
                ValidationIssue(
                    errorCode: "invalid.value", fieldName: "content",
                    message: "Only one attachment is allowed per message, got \(content.count)"))
        }
        for (index, entry) in content.enumerated() where entry.objectValue != nil && entry["attachment"] == nil {
            issues.append(.required("content[\(index)].attachment"))
        }
        return issues
    }

    /// Receipt: `reasons` only together with status `Failed`.
    static func inboundReceipt(_ body: JSONValue) -> [ValidationIssue] {
        let reasons = body["reasons"]?.arrayValue ?? []
        guard !reasons.isEmpty, let status = body["status"]?.stringValue, status != "Failed" else { return [] }
        return [
            ValidationIssue(
                errorCode: "invalid.value", fieldName: "reasons",
                message: "reasons are only allowed with status Failed, not \(status)")
        ]
    }

    /// Agentless message for Open Messaging: text only, at most 2000 characters.
    static func agentlessMessage(_ body: JSONValue) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if let type = body["toAddressMessengerType"]?.stringValue, type != "open" {
            issues.append(
                ValidationIssue(
                    errorCode: "invalid.value", fieldName: "toAddressMessengerType",
                    message: "The sandbox serves Open Messaging only; toAddressMessengerType must be open"))
        }
        let text = body["textBody"]?.stringValue ?? ""
        if text.isEmpty {
            issues.append(.required("textBody"))
        } else if text.count > maxAgentlessTextLength {
            issues.append(
                ValidationIssue(
                    errorCode: "invalid.value", fieldName: "textBody",
                    message: "textBody may have at most \(maxAgentlessTextLength) characters, got \(text.count)"))
        }
        return issues
    }
}
