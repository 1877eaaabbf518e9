import Foundation
@testable import GatewayYAML
@testable import GatewayConfig

/// One tenant file, as `TenantConfigLoader.loadFile` reads it: libyaml events → ``YAMLNode`` tree → decoder.
///
/// Beyond "does not crash", it checks the promise the plugin ABI relies on: a plugin's settings reach the
/// plugin as JSON text (`YAMLNode.jsonText`), so that text must be valid JSON whatever the YAML said.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let diagnostics = ConfigDiagnostics(path: "fuzz.yaml")
    guard let root = try? YAMLParser.parse(bytes) else { return 0 }
    let tenant = TenantConfigDecoder(diagnostics: diagnostics).decode(root)
    _ = diagnostics.errors.map(\.description)
    let settings = tenant?.pluginSettings.values.map { $0 } ?? []
    // Any tree, not only one that passed the decoder: every mapping under `plugins` takes this path.
    for json in settings + [root.jsonText] where (try? JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)) == nil {
        fatalError("YAMLNode.jsonText produced invalid JSON: \(json)")
    }
    return 0
}
