import PluginHost
/// One line per plugin: name, version, kind, ABI version, what it handles, file.
struct PluginTable {
    let plugins: [LoadedPlugin]

    var rows: [String] {
        plugins.sorted { $0.name < $1.name }.map { plugin in
            let handles = plugin.kind == .sender ? "types: " + plugin.messageTypes.joined(separator: ", ") : "error policy"
            let file = plugin.file.split(separator: "/").last.map(String.init) ?? plugin.file
            return "\(plugin.name) \(plugin.version)  \(plugin.kind.rawValue)  ABI \(plugin.abiMajor).\(plugin.abiMinor)  \(handles)  (\(file))"
        }
    }
}
