import PluginAPI

/// Logs through the host's `ggw_callback_log`, so plugin lines land in the gateway's own log with its metadata.
public struct PluginLogger: @unchecked Sendable {
    // The host table lives for the process and its callback is thread-safe (ABI contract), so sharing the
    // pointer across threads is sound.
    private let host: UnsafePointer<ggw_type_host_callbacks>?

    init(host: UnsafePointer<ggw_type_host_callbacks>?) {
        self.host = host
    }

    public func debug(_ message: String) { log(GGW_LOG_DEBUG, message) }
    public func info(_ message: String) { log(GGW_LOG_INFO, message) }
    public func warning(_ message: String) { log(GGW_LOG_WARNING, message) }
    public func error(_ message: String) { log(GGW_LOG_ERROR, message) }

    private func log(_ level: ggw_type_log_level, _ message: String) {
        guard let host, let callback = host.pointee.ggw_callback_log else { return }
        var text = message
        text.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { chars in
                callback(host.pointee.host_context, Int32(level.rawValue), ggw_type_str(ptr: chars.baseAddress, len: chars.count))
            }
        }
    }
}
