//
// ModelCatalog.swift — GenesysSandbox
// The Genesys model definitions, loaded from `open_messaging_models.json`.
//

import Foundation

/// The model definitions request bodies are validated against, keyed by model name
/// (`OpenInboundNormalizedMessage`, `ErrorBody`, ...).
public struct ModelCatalog: Sendable {
    let definitions: [String: SchemaNode]

    /// Names of all loaded definitions.
    public var modelNames: [String] { definitions.keys.sorted() }

    /// Parses a definitions document: `{"definitions": {Name: schema, ...}}` (or the bare map).
    /// - Parameter data: the JSON text.
    public init(data: Data) throws {
        let document: JSONValue
        do {
            document = try JSONValue.parse(data)
        } catch {
            throw SandboxError.invalidModels("not JSON: \(error.reason) at byte \(error.offset)")
        }
        guard let definitions = (document["definitions"] ?? document).objectValue, !definitions.isEmpty else {
            throw SandboxError.invalidModels("no \"definitions\" object")
        }
        var nodes: [String: SchemaNode] = [:]
        for (name, definition) in definitions where definition.objectValue != nil {
            nodes[name] = SchemaNode(definition: definition)
        }
        self.definitions = nodes
    }

    /// Loads the definitions from a file.
    /// - Parameter path: path of a models JSON file.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SandboxError.invalidModels("cannot read \(path)")
        }
        try self.init(data: data)
    }

    /// The copy of `open_messaging_models.json` bundled with this library.
    public static func bundled() throws -> ModelCatalog {
        guard let url = Bundle.module.url(forResource: "open_messaging_models", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else {
            throw SandboxError.invalidModels("bundled open_messaging_models.json is missing")
        }
        return try ModelCatalog(data: data)
    }

    func schema(named name: String) -> SchemaNode? {
        definitions[name]
    }
}
