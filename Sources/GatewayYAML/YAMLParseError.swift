/// Why a YAML document could not be read, and where.
public struct YAMLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var mark: SourceMark
    public var message: String

    public init(mark: SourceMark, message: String) {
        self.mark = mark
        self.message = message
    }

    public var description: String { "\(mark): \(message)" }
}

/// Limits that keep a hostile or broken file from exhausting the gateway.
public struct YAMLLimits: Sendable, Equatable {
    /// Largest file accepted, in bytes.
    public var maxBytes: Int
    /// Deepest nesting of mappings and sequences accepted.
    public var maxDepth: Int
    /// Most nodes accepted in one document (a flat bomb without aliases).
    public var maxNodes: Int

    public init(maxBytes: Int = 256 * 1024, maxDepth: Int = 16, maxNodes: Int = 20_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }
}
