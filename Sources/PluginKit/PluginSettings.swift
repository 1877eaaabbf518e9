import Foundation

/// Decodes a plugin's settings object, refusing keys the plugin does not know (a typo in a tenant's YAML
/// should fail at load, not be ignored).
public enum PluginSettings {
    public static func decode<Settings: Decodable>(
        _ type: Settings.Type, from json: [UInt8], knownKeys: [String]
    ) throws(ValidationFailure) -> Settings {
        let data = json.isEmpty ? Data("{}".utf8) : Data(json)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ValidationFailure(field: "", reason: "settings must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !knownKeys.contains($0) }) {
            let known = knownKeys.isEmpty ? "none" : knownKeys.joined(separator: ", ")
            throw ValidationFailure(field: unknown, reason: "unknown setting '\(unknown)' (known: \(known))")
        }
        do {
            return try JSONDecoder().decode(Settings.self, from: data)
        } catch let error as DecodingError {
            throw ValidationFailure(decodingError: error)
        } catch {
            throw ValidationFailure(field: "", reason: "settings could not be read")
        }
    }
}

/// Settings for a plugin that takes none.
public struct NoSettings: Decodable, Sendable {}
