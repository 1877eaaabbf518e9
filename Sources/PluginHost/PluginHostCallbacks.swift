import Logging
import PluginAPI

/// The host callback table one plugin receives, and the logger behind its `ggw_callback_log`.
///
/// The ABI promises the table lives for the process, so it is allocated once per plugin and never freed
/// (plugins are never unloaded either).
final class PluginHostCallbacks: @unchecked Sendable {
    // Immutable after init; the pointee is only read by plugins, from any thread.
    let table: UnsafeMutablePointer<ggw_type_host_callbacks>
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
        table = .allocate(capacity: 1)
        var callbacks = ggw_type_host_callbacks()
        callbacks.struct_size = UInt32(MemoryLayout<ggw_type_host_callbacks>.size)
        callbacks.abi_major = UInt16(GGW_ABI_VERSION_MAJOR)
        callbacks.abi_minor = UInt16(GGW_ABI_VERSION_MINOR)
        callbacks.ggw_callback_log = pluginLogCallback
        table.initialize(to: callbacks)
        // Unretained: the table and this object both live for the process (the registry holds it).
        table.pointee.host_context = Unmanaged.passUnretained(self).toOpaque()
    }
}

private let pluginLogCallback: @convention(c) (UnsafeMutableRawPointer?, Int32, ggw_type_str) -> Void = {
    context, level, message in
    guard let context else { return }
    let callbacks = Unmanaged<PluginHostCallbacks>.fromOpaque(context).takeUnretainedValue()
    let text = message.ptr.map {
        String(decoding: UnsafeRawBufferPointer(start: $0, count: message.len), as: UTF8.self)
    } ?? ""
    let logLevel: Logger.Level
    switch UInt32(bitPattern: level) {
    case GGW_LOG_DEBUG.rawValue: logLevel = .debug
    case GGW_LOG_INFO.rawValue: logLevel = .info
    case GGW_LOG_WARNING.rawValue: logLevel = .warning
    default: logLevel = .error
    }
    callbacks.logger.log(level: logLevel, "\(text)")
}
