/// The plugins that loaded: senders by message type, error policies by name, and what was refused.
public struct PluginRegistry: Sendable {
    public private(set) var plugins: [LoadedPlugin] = []
    public internal(set) var errors: [PluginLoadError] = []
    private var sendersByType: [String: LoadedPlugin] = [:]
    private var byName: [String: LoadedPlugin] = [:]

    public init() {}

    /// Adds a plugin unless its name or one of its message types is taken; then the clash is recorded.
    mutating func add(_ plugin: LoadedPlugin) {
        if let existing = byName[plugin.name] {
            errors.append(PluginLoadError(file: plugin.file, reason: .duplicateName(plugin.name, firstFile: existing.file)))
            return
        }
        if let clash = plugin.messageTypes.first(where: { sendersByType[$0] != nil }) {
            errors.append(PluginLoadError(
                file: plugin.file, reason: .duplicateMessageType(clash, firstPlugin: sendersByType[clash]!.name)))
            return
        }
        plugins.append(plugin)
        byName[plugin.name] = plugin
        for type in plugin.messageTypes { sendersByType[type] = plugin }
    }

    /// The sender that handles `messageType`.
    public func sender(for messageType: String) -> LoadedPlugin? {
        sendersByType[messageType]
    }

    /// The error policy called `name`.
    public func errorPolicy(named name: String) -> LoadedPlugin? {
        byName[name].flatMap { $0.kind == .errorPolicy ? $0 : nil }
    }

    public var messageTypes: [String] { sendersByType.keys.sorted() }
    public var errorPolicyNames: [String] { plugins.filter { $0.kind == .errorPolicy }.map(\.name).sorted() }
}
