//
// SchemaNode.swift — GenesysSandbox
// One node of a model definition (the JSON-Schema-like subset `open_messaging_models.json` uses).
//

/// A parsed schema node: an object with properties, an array, a scalar with an enum or format,
/// a string map (`additionalProperties`), or a `$ref` to another definition.
final class SchemaNode: Sendable {
    /// `object`, `array`, `string`, `integer`, `number`, `boolean`, or `nil` when unconstrained.
    let type: String?
    /// Name of the referenced definition (the part after `#/definitions/`).
    let reference: String?
    let properties: [String: SchemaNode]
    let required: [String]
    /// Allowed values, in the order the definition lists them.
    let allowedValues: [String]?
    let items: SchemaNode?
    let additionalProperties: SchemaNode?
    let format: String?

    init(definition: JSONValue) {
        self.type = definition["type"]?.stringValue
        if let ref = definition["$ref"]?.stringValue {
            self.reference = ref.split(separator: "/").last.map(String.init)
        } else {
            self.reference = nil
        }
        var properties: [String: SchemaNode] = [:]
        for (name, child) in definition["properties"]?.objectValue ?? [:] {
            properties[name] = SchemaNode(definition: child)
        }
        self.properties = properties
        self.required = (definition["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        self.allowedValues = definition["enum"]?.arrayValue?.compactMap(\.stringValue)
        self.items = definition["items"].map(SchemaNode.init(definition:))
        if let additional = definition["additionalProperties"], additional.objectValue != nil {
            self.additionalProperties = SchemaNode(definition: additional)
        } else {
            self.additionalProperties = nil
        }
        self.format = definition["format"]?.stringValue
    }
}
