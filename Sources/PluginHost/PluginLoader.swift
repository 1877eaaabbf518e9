#if canImport(Glibc)
import Glibc
#endif
import Foundation
public import Logging
import PluginAPI

/// Loads every `.so` in a plugins directory through the C ABI and checks each descriptor.
///
/// A refused plugin is reported in one line naming its file; the others still load. Libraries are opened
/// with `RTLD_NOW | RTLD_LOCAL` (missing symbols fail at load, plugins cannot see each other's symbols) and
/// never closed: a Swift library cannot be safely unloaded, and nothing here needs it.
public struct PluginLoader: Sendable {
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Loads the directory's plugins in file-name order; on a name or message-type clash the first one wins.
    /// A directory another user could write to (or owned by another user) loads nothing: whoever can add a
    /// file there could run code in every tenant's gateway.
    public func load(directory: String) -> PluginRegistry {
        var registry = PluginRegistry()
        var status = stat()
        guard stat(directory, &status) == 0 else {
            registry.errors.append(PluginLoadError(file: directory, reason: .unreadable))
            return registry
        }
        if let refusal = Self.ownershipRefusal(status) {
            registry.errors.append(PluginLoadError(file: directory, reason: refusal))
            return registry
        }
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".so") }.sorted()
        } catch {
            registry.errors.append(PluginLoadError(file: directory, reason: .unreadable))
            return registry
        }
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            switch loadFile(path) {
            case .success(let plugin):
                registry.add(plugin)
            case .failure(let error):
                registry.errors.append(error)
            }
        }
        return registry
    }

    /// Opens one library and validates its descriptor.
    public func loadFile(_ path: String) -> Result<LoadedPlugin, PluginLoadError> {
        func refuse(_ reason: PluginLoadError.Reason) -> Result<LoadedPlugin, PluginLoadError> {
            .failure(PluginLoadError(file: path, reason: reason))
        }
        // Checked and loaded through one descriptor: the file that passed the checks is the file loaded, even
        // if the name is swapped for another file in between.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return refuse(.unreadable) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return refuse(.unreadable) }
        guard status.st_mode & S_IFMT == S_IFREG else { return refuse(.notARegularFile) }
        if let refusal = Self.ownershipRefusal(status) { return refuse(refusal) }

        guard let alias = OpenedFileAlias(descriptor: descriptor) else { return refuse(.unreadable) }
        let opened = dlopen(alias.path, RTLD_NOW | RTLD_LOCAL)
        let failure = opened == nil ? (dlerror().map { String(cString: $0) } ?? "unknown error") : nil
        alias.remove()
        guard let handle = opened else {
            return refuse(.dlopenFailed((failure ?? "").replacingOccurrences(of: alias.path, with: path)))
        }
        guard let symbol = dlsym(handle, PluginABI.entrySymbol) else { return refuse(.missingEntrySymbol) }
        let entry = unsafeBitCast(symbol, to: ggw_on_plugin_entry.self)

        var pluginLogger = logger
        pluginLogger[metadataKey: "plugin.file"] = "\((path as NSString).lastPathComponent)"
        let callbacks = PluginHostCallbacks(logger: pluginLogger)
        guard let descriptor = entry(callbacks.table) else { return refuse(.entryReturnedNull) }

        let size = Int(descriptor.pointee.struct_size)
        let major = Int(descriptor.pointee.abi_major)
        guard major == PluginABI.major else { return refuse(.abiMajorMismatch(plugin: major, host: PluginABI.major)) }
        guard size >= PluginABI.minimumDescriptorSize else {
            return refuse(.descriptorTooSmall(size: size, required: PluginABI.minimumDescriptorSize))
        }
        return DescriptorCheck(descriptor: descriptor.pointee).validate().map { checked in
            LoadedPlugin(
                descriptor: descriptor, callbacks: callbacks, file: path,
                name: checked.name, version: checked.version, kind: checked.kind, messageTypes: checked.messageTypes)
        }.mapError { PluginLoadError(file: path, reason: $0) }
    }
}

extension PluginLoader {
    /// Why a plugin file or directory with this status must not be trusted, or nil.
    static func ownershipRefusal(_ status: stat) -> PluginLoadError.Reason? {
        guard status.st_mode & (S_IWGRP | S_IWOTH) == 0 else { return .writableByOthers }
        guard status.st_uid == 0 || status.st_uid == geteuid() else { return .ownedByAnotherUser(uid: status.st_uid) }
        return nil
    }
}

/// The fields of a descriptor, checked for what the host relies on.
private struct DescriptorCheck {
    let descriptor: ggw_type_plugin_descriptor

    struct Checked {
        var name: String
        var version: String
        var kind: PluginKind
        var messageTypes: [String]
    }

    func validate() -> Result<Checked, PluginLoadError.Reason> {
        func invalid(_ message: String) -> Result<Checked, PluginLoadError.Reason> { .failure(.invalidDescriptor(message)) }
        guard let name = PluginText.cString(descriptor.name), !name.isEmpty else { return invalid("no name") }
        let version = PluginText.cString(descriptor.version) ?? "unknown"
        guard descriptor.on_instance_create != nil, descriptor.on_instance_destroy != nil else {
            return invalid("'\(name)' lacks on_instance_create or on_instance_destroy")
        }
        switch descriptor.kind {
        case Int32(GGW_PLUGIN_KIND_SENDER.rawValue):
            guard descriptor.on_sender_build != nil, descriptor.on_sender_release != nil else {
                return invalid("sender '\(name)' lacks on_sender_build or on_sender_release")
            }
            var types: [String] = []
            for index in 0..<descriptor.message_type_count {
                guard let type = PluginText.cString(descriptor.message_types?[index]), !type.isEmpty else {
                    return invalid("sender '\(name)' has an empty message type at index \(index)")
                }
                types.append(type)
            }
            guard !types.isEmpty else { return invalid("sender '\(name)' handles no message types") }
            return .success(Checked(name: name, version: version, kind: .sender, messageTypes: types))
        case Int32(GGW_PLUGIN_KIND_ERROR_POLICY.rawValue):
            guard descriptor.on_policy_decide != nil else { return invalid("error policy '\(name)' lacks on_policy_decide") }
            return .success(Checked(name: name, version: version, kind: .errorPolicy, messageTypes: []))
        default:
            return invalid("'\(name)' has unknown kind \(descriptor.kind)")
        }
    }
}
