import PluginAPI
import PluginKit

/// A plugin that passed the loader's checks: its descriptor, what it handles, and where it came from.
///
/// The descriptor belongs to the plugin and lives for the process (the library is never unloaded), so this
/// type only reads it.
public final class LoadedPlugin: @unchecked Sendable {
    // The descriptor is immutable plugin memory; reading it from any thread is sound.
    private let descriptor: UnsafePointer<ggw_type_plugin_descriptor>
    private let callbacks: PluginHostCallbacks
    public let file: String
    public let name: String
    public let version: String
    public let kind: PluginKind
    public let messageTypes: [String]
    public let abiMajor: Int
    public let abiMinor: Int

    init(
        descriptor: UnsafePointer<ggw_type_plugin_descriptor>, callbacks: PluginHostCallbacks, file: String,
        name: String, version: String, kind: PluginKind, messageTypes: [String]
    ) {
        self.descriptor = descriptor
        self.callbacks = callbacks
        self.file = file
        self.name = name
        self.version = version
        self.kind = kind
        self.messageTypes = messageTypes
        self.abiMajor = Int(descriptor.pointee.abi_major)
        self.abiMinor = Int(descriptor.pointee.abi_minor)
    }

    /// Creates a sender instance configured with `settingsJSON` (a JSON object).
    public func makeSender(settingsJSON: String = "{}") throws(PluginInstanceError) -> SenderInstance {
        guard kind == .sender, let build = descriptor.pointee.on_sender_build,
              let release = descriptor.pointee.on_sender_release
        else { throw PluginInstanceError(plugin: name, message: "is not a sender") }
        let instance = try createInstance(settingsJSON: settingsJSON)
        return SenderInstance(
            plugin: name, instance: instance, build: build, release: release, destroy: descriptor.pointee.on_instance_destroy)
    }

    /// Creates an error-policy instance configured with `settingsJSON` (a JSON object).
    public func makePolicy(settingsJSON: String = "{}") throws(PluginInstanceError) -> PolicyInstance {
        guard kind == .errorPolicy, let decide = descriptor.pointee.on_policy_decide else {
            throw PluginInstanceError(plugin: name, message: "is not an error policy")
        }
        let instance = try createInstance(settingsJSON: settingsJSON)
        return PolicyInstance(plugin: name, instance: instance, decide: decide, destroy: descriptor.pointee.on_instance_destroy)
    }

    private func createInstance(settingsJSON: String) throws(PluginInstanceError) -> UnsafeMutableRawPointer? {
        guard let create = descriptor.pointee.on_instance_create else {
            throw PluginInstanceError(plugin: name, message: "has no on_instance_create")
        }
        var instance: UnsafeMutableRawPointer?
        var errorBuffer = [CChar](repeating: 0, count: Int(GGW_TEXT_CAPACITY))
        var settings = settingsJSON
        let status = settings.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { chars in
                create(
                    descriptor.pointee.plugin_context, callbacks.table, ggw_type_str(ptr: chars.baseAddress, len: chars.count),
                    &instance, &errorBuffer, errorBuffer.count)
            }
        }
        guard status == 0 else {
            errorBuffer[errorBuffer.count - 1] = 0
            let message = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw PluginInstanceError(plugin: name, message: "refused its settings: \(message)")
        }
        return instance
    }
}

/// A plugin could not make an instance (wrong kind, settings refused).
public struct PluginInstanceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var plugin: String
    public var message: String

    public var description: String { "plugin '\(plugin)' \(message)" }

    package init(plugin: String, message: String) {
        self.plugin = plugin
        self.message = message
    }
}
