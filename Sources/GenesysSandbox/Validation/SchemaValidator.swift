//
// SchemaValidator.swift — GenesysSandbox
// A generic validator over `ModelCatalog`: object/required/type/enum/array items/$ref/map/date-time.
//

/// Validates JSON values against the loaded model definitions.
struct SchemaValidator: Sendable {
    let catalog: ModelCatalog
    /// When `true`, properties a model does not define are reported as `unrecognized.field`;
    /// when `false` (the default) they are ignored, as Genesys' API tolerates them.
    let rejectUnknownProperties: Bool

    /// All problems of `value` measured against the model `name`, in document order.
    /// - Parameters:
    ///   - value: the parsed body.
    ///   - name: a definition name, e.g. `OpenInboundNormalizedMessage`.
    func validate(_ value: JSONValue, model name: String) -> [ValidationIssue] {
        guard let schema = catalog.schema(named: name) else { return [] }
        var issues: [ValidationIssue] = []
        check(value, against: schema, path: "", depth: 0, issues: &issues)
        return issues
    }

    private func resolve(_ schema: SchemaNode) -> SchemaNode? {
        guard let reference = schema.reference else { return schema }
        return catalog.schema(named: reference)
    }

    private func check(
        _ value: JSONValue, against unresolved: SchemaNode, path: String, depth: Int, issues: inout [ValidationIssue]
    ) {
        guard depth < 64, let schema = resolve(unresolved) else { return }
        let label = path.isEmpty ? "body" : path
        switch schema.type {
        case "object":
            guard let members = value.objectValue else {
                issues.append(.invalidType(label, expected: "object"))
                return
            }
            checkObject(members, schema: schema, path: path, depth: depth, issues: &issues)
        case "array":
            guard let elements = value.arrayValue else {
                issues.append(.invalidType(label, expected: "array"))
                return
            }
            if let items = schema.items {
                for (index, element) in elements.enumerated() where !element.isNull {
                    check(element, against: items, path: "\(path)[\(index)]", depth: depth + 1, issues: &issues)
                }
            }
        case "string":
            guard let string = value.stringValue else {
                issues.append(.invalidType(label, expected: "string"))
                return
            }
            if let allowed = schema.allowedValues, !allowed.contains(string) {
                issues.append(.invalidEnum(label, value: string, allowed: allowed))
            } else if schema.format == "date-time", !DateTimeFormat.isValid(string) {
                issues.append(.invalidFormat(label, format: "date-time"))
            }
        case "integer":
            if value.intValue == nil { issues.append(.invalidType(label, expected: "integer")) }
        case "number":
            if value.doubleValue == nil { issues.append(.invalidType(label, expected: "number")) }
        case "boolean":
            if value.boolValue == nil { issues.append(.invalidType(label, expected: "boolean")) }
        default:
            return
        }
    }

    private func checkObject(
        _ members: [String: JSONValue], schema: SchemaNode, path: String, depth: Int, issues: inout [ValidationIssue]
    ) {
        let prefix = path.isEmpty ? "" : path + "."
        for name in schema.required where members[name] == nil || members[name]!.isNull {
            issues.append(.required(prefix + name))
        }
        if let mapValues = schema.additionalProperties, schema.properties.isEmpty {
            for key in members.keys.sorted() where !members[key]!.isNull {
                check(members[key]!, against: mapValues, path: prefix + key, depth: depth + 1, issues: &issues)
            }
            return
        }
        for key in members.keys.sorted() {
            let member = members[key]!
            guard let property = schema.properties[key] else {
                if rejectUnknownProperties { issues.append(.unknownProperty(prefix + key)) }
                continue
            }
            if member.isNull { continue }
            check(member, against: property, path: prefix + key, depth: depth + 1, issues: &issues)
        }
    }
}
