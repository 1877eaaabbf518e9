import PluginAPI

/// The host's side of the ABI version handshake.
public enum PluginABI {
    public static let major = Int(GGW_ABI_VERSION_MAJOR)
    public static let minor = Int(GGW_ABI_VERSION_MINOR)
    public static let entrySymbol = GGW_PLUGIN_ENTRY_SYMBOL

    /// The smallest descriptor this host can use: every field of ABI 1.0. Fields appended in later minors
    /// are read only when the plugin's `struct_size` says it has them.
    /// (`GGW_DESCRIPTOR_MIN_SIZE_1_0`, a macro Swift does not import.)
    public static let minimumDescriptorSize =
        MemoryLayout<ggw_type_plugin_descriptor>.offset(of: \.plugin_context)! + MemoryLayout<UnsafeMutableRawPointer?>.size
}

/// What a plugin does.
public enum PluginKind: String, Sendable {
    case sender
    case errorPolicy = "error-policy"
}
