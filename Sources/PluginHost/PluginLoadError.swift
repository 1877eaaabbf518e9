/// Why one plugin file was refused. One line, naming the file.
public struct PluginLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Error, Sendable, Equatable {
        case unreadable
        case notARegularFile
        /// Group- or world-writable (the file, or the directory it is in): another user could replace the code.
        case writableByOthers
        /// Owned by neither root nor the gateway's own user.
        case ownedByAnotherUser(uid: UInt32)
        case dlopenFailed(String)
        case missingEntrySymbol
        case entryReturnedNull
        case descriptorTooSmall(size: Int, required: Int)
        case abiMajorMismatch(plugin: Int, host: Int)
        case invalidDescriptor(String)
        case duplicateName(String, firstFile: String)
        case duplicateMessageType(String, firstPlugin: String)
    }

    public var file: String
    public var reason: Reason

    public init(file: String, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    public var description: String {
        let why: String
        switch reason {
        case .unreadable: why = "cannot be read"
        case .notARegularFile: why = "is not a regular file"
        case .writableByOthers: why = "is writable by group or others; refusing to load code another user can replace"
        case .ownedByAnotherUser(let uid):
            why = "is owned by uid \(uid), neither root nor the gateway's user; refusing to load another user's code"
        case .dlopenFailed(let message): why = "dlopen failed: \(message)"
        case .missingEntrySymbol: why = "has no entry symbol '\(PluginABI.entrySymbol)'; not a gateway plugin"
        case .entryReturnedNull: why = "entry symbol returned no descriptor"
        case .descriptorTooSmall(let size, let required):
            why = "descriptor is \(size) bytes, smaller than the \(required) bytes ABI \(PluginABI.major).0 requires"
        case .abiMajorMismatch(let plugin, let host):
            why = "built for plugin ABI major \(plugin), this host speaks major \(host)"
        case .invalidDescriptor(let message): why = "invalid descriptor: \(message)"
        case .duplicateName(let name, let firstFile): why = "plugin name '\(name)' is already taken by \(firstFile)"
        case .duplicateMessageType(let type, let firstPlugin):
            why = "message type '\(type)' is already handled by plugin '\(firstPlugin)'"
        }
        return "plugin \(file): \(why)"
    }
}
