import GatewayCore
import GatewayYAML
/// Reads typed values out of one YAML mapping, reporting wrong types, bad values and unknown keys to a
/// ``ConfigDiagnostics`` instead of stopping at the first problem.
struct MappingReader {
    private let pairs: [(key: YAMLScalarKey, value: YAMLNode)]
    let mark: SourceMark
    /// Where this mapping sits, for messages: "org 'main' rateLimit".
    let context: String
    let diagnostics: ConfigDiagnostics

    /// - Returns: nil (after reporting) when `node` is not a mapping.
    init?(_ node: YAMLNode, context: String, knownKeys: [String], diagnostics: ConfigDiagnostics) {
        guard case .mapping(let pairs, let mark) = node else {
            diagnostics.report("\(context) must be a mapping, got \(node.kindName)", at: node.mark)
            return nil
        }
        self.pairs = pairs
        self.mark = mark
        self.context = context
        self.diagnostics = diagnostics
        for pair in pairs where !knownKeys.contains(pair.key.name) {
            diagnostics.report(
                "unknown key '\(pair.key.name)' in \(context) (known: \(knownKeys.joined(separator: ", ")))",
                at: pair.key.mark)
        }
    }

    func node(_ key: String) -> YAMLNode? {
        pairs.first { $0.key.name == key }?.value
    }

    func has(_ key: String) -> Bool { node(key) != nil }

    private func missing(_ key: String) {
        diagnostics.report("missing required key '\(key)' in \(context)", at: mark)
    }

    func string(_ key: String, required: Bool = false) -> Located<String>? {
        guard let node = node(key) else {
            if required { missing(key) }
            return nil
        }
        guard case .scalar(let text, _, let mark) = node else {
            diagnostics.report("'\(key)' in \(context) must be a string, got \(node.kindName)", at: node.mark)
            return nil
        }
        guard !text.isEmpty else {
            diagnostics.report("'\(key)' in \(context) must not be empty", at: mark)
            return nil
        }
        return Located(text, at: mark)
    }

    func bool(_ key: String) -> Bool? {
        guard let node = node(key) else { return nil }
        if case .scalar(let text, true, _) = node {
            switch text {
            case "true": return true
            case "false": return false
            default: break
            }
        }
        diagnostics.report("'\(key)' in \(context) must be true or false", at: node.mark)
        return nil
    }

    /// An integer in `range`, or nil after reporting.
    func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let node = node(key) else { return nil }
        guard case .scalar(let text, true, _) = node, let value = Int(text) else {
            diagnostics.report("'\(key)' in \(context) must be a whole number", at: node.mark)
            return nil
        }
        guard range.contains(value) else {
            diagnostics.report("'\(key)' in \(context) must be between \(range.lowerBound) and \(range.upperBound), got \(value)", at: node.mark)
            return nil
        }
        return value
    }

    /// A number greater than zero and at most `maximum`, or nil after reporting.
    func positiveNumber(_ key: String, maximum: Double) -> Double? {
        guard let node = node(key) else { return nil }
        guard case .scalar(let text, true, _) = node, let value = Double(text), value.isFinite else {
            diagnostics.report("'\(key)' in \(context) must be a number", at: node.mark)
            return nil
        }
        guard value > 0, value <= maximum else {
            let limit = maximum == maximum.rounded() ? String(Int64(saturating: maximum)) : String(maximum)
            diagnostics.report("'\(key)' in \(context) must be greater than 0 and at most \(limit), got \(text)", at: node.mark)
            return nil
        }
        return value
    }

    /// A secret reference (`env:NAME` / `file:/path`), or a value where `literals` accepts one; a refused
    /// value is reported without echoing it.
    func secret(_ key: String, required: Bool = false, literals: LiteralSecretPolicy) -> SecretReference? {
        guard let located = string(key, required: required) else { return nil }
        guard let reference = literals.secret(from: located.value) else {
            diagnostics.report(literals.refusal(of: "'\(key)' in \(context)"), at: located.mark)
            return nil
        }
        return reference
    }

    /// One secret, or a list of 1 to `maximum` (a rotation under way: the new secret and the old); an empty
    /// array when the key is absent or after reporting.
    func secrets(_ key: String, maximum: Int, literals: LiteralSecretPolicy) -> [SecretReference] {
        guard let node = node(key) else { return [] }
        guard case .sequence(let items, let mark) = node else { return secret(key, literals: literals).map { [$0] } ?? [] }
        guard (1...maximum).contains(items.count) else {
            diagnostics.report("'\(key)' in \(context) must be one secret reference or a list of 1 to \(maximum), got \(items.count)", at: mark)
            return []
        }
        return items.compactMap { item in
            guard case .scalar(let text, _, _) = item, !text.isEmpty, let reference = literals.secret(from: text) else {
                diagnostics.report(literals.refusal(of: "every entry of '\(key)' in \(context)"), at: item.mark)
                return nil
            }
            return reference
        }
    }

    /// A sequence of non-empty strings.
    func strings(_ key: String) -> [Located<String>]? {
        guard let node = node(key) else { return nil }
        guard case .sequence(let items, _) = node else {
            diagnostics.report("'\(key)' in \(context) must be a list, got \(node.kindName)", at: node.mark)
            return nil
        }
        var values: [Located<String>] = []
        for item in items {
            guard case .scalar(let text, _, let mark) = item, !text.isEmpty else {
                diagnostics.report("every entry of '\(key)' in \(context) must be a non-empty string", at: item.mark)
                continue
            }
            values.append(Located(text, at: mark))
        }
        return values
    }

    /// A nested mapping whose keys the file chooses (message types, say), with each key's place; nil when
    /// absent or after reporting.
    func namedEntries(_ key: String) -> [(name: Located<String>, value: YAMLNode)]? {
        guard let node = node(key) else { return nil }
        guard case .mapping(let entries, _) = node else {
            diagnostics.report("'\(key)' in \(context) must be a mapping, got \(node.kindName)", at: node.mark)
            return nil
        }
        return entries.map { (Located($0.key.name, at: $0.key.mark), $0.value) }
    }

    /// A nested mapping with its own known keys.
    func mapping(_ key: String, knownKeys: [String]) -> MappingReader? {
        guard let node = node(key) else { return nil }
        return MappingReader(node, context: "\(context) \(key)".trimmingLeadingSpace, knownKeys: knownKeys, diagnostics: diagnostics)
    }
}

extension String {
    fileprivate var trimmingLeadingSpace: String {
        var copy = self
        while copy.first == " " { copy.removeFirst() }
        return copy
    }
}
