/// A position in a source file, 1-based, as libyaml's marks give it.
public struct SourceMark: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// A YAML document as a tree, every node carrying where it starts in the file.
///
/// Only what tenant configs need: scalars keep whether they were quoted (a quoted `"10"` is a string, a plain
/// `10` may be a number), mappings keep their keys' order and positions. Aliases are refused by the parser.
public indirect enum YAMLNode: Sendable, Equatable {
    case scalar(String, plain: Bool, SourceMark)
    case sequence([YAMLNode], SourceMark)
    case mapping([(key: YAMLScalarKey, value: YAMLNode)], SourceMark)

    public var mark: SourceMark {
        switch self {
        case .scalar(_, _, let mark), .sequence(_, let mark), .mapping(_, let mark): return mark
        }
    }

    /// What the node is, for error messages ("expected a mapping, got a sequence").
    public var kindName: String {
        switch self {
        case .scalar: return "a scalar"
        case .sequence: return "a sequence"
        case .mapping: return "a mapping"
        }
    }

    public static func == (lhs: YAMLNode, rhs: YAMLNode) -> Bool {
        switch (lhs, rhs) {
        case let (.scalar(a, pa, ma), .scalar(b, pb, mb)): return a == b && pa == pb && ma == mb
        case let (.sequence(a, ma), .sequence(b, mb)): return a == b && ma == mb
        case let (.mapping(a, ma), .mapping(b, mb)):
            return ma == mb && a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

/// A mapping key: tenant configs only use scalar keys.
public struct YAMLScalarKey: Sendable, Equatable {
    public var name: String
    public var mark: SourceMark

    public init(name: String, mark: SourceMark) {
        self.name = name
        self.mark = mark
    }
}
