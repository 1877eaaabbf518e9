import GatewayYAML
/// One tenant of the tenant service's document as the YAML tree ``TenantConfigDecoder`` reads, so a JSON
/// tenant is decoded and validated by exactly the rules of a tenant file.
///
/// JSON has no lines to point at, so every node gets a made-up mark (line n is the n-th node) and the tree
/// keeps each node's field path (`orgs[0].rateLimit.burst`): errors are reported by path instead of line.
/// The limits of a tenant file (nesting, node count) apply to each tenant.
struct JSONTenantTree: Sendable {
    let root: YAMLNode
    /// The field path of each node, by its mark's line − 1; "" for the tenant itself.
    private let fieldPaths: [String]

    /// Why a tenant could not become a tree.
    struct TooLarge: Error, Sendable {
        var message: String
    }

    init(_ tenant: JSONValue, limits: YAMLLimits) throws(TooLarge) {
        var paths: [String] = []
        root = try Self.node(tenant, path: "", depth: 0, limits: limits, paths: &paths)
        fieldPaths = paths
    }

    /// The field path `mark` stands for; nil for the tenant as a whole or a mark not made here.
    func field(at mark: SourceMark?) -> String? {
        guard let mark, fieldPaths.indices.contains(mark.line - 1) else { return nil }
        let path = fieldPaths[mark.line - 1]
        return path.isEmpty ? nil : path
    }

    private static func node(
        _ value: JSONValue, path: String, depth: Int, limits: YAMLLimits, paths: inout [String]
    ) throws(TooLarge) -> YAMLNode {
        guard paths.count < limits.maxNodes else { throw TooLarge(message: "more than \(limits.maxNodes) JSON values in one tenant") }
        paths.append(path)
        let mark = SourceMark(line: paths.count, column: 1)
        switch value {
        case .null: return .scalar("", plain: true, mark)
        case .bool(let flag): return .scalar(flag ? "true" : "false", plain: true, mark)
        case .number(let text): return .scalar(text, plain: true, mark)
        case .string(let text): return .scalar(text, plain: false, mark)
        case .array(let items):
            guard depth < limits.maxDepth else { throw TooLarge(message: "nesting deeper than \(limits.maxDepth) levels") }
            var nodes: [YAMLNode] = []
            for (index, item) in items.enumerated() {
                nodes.append(try node(item, path: "\(path)[\(index)]", depth: depth + 1, limits: limits, paths: &paths))
            }
            return .sequence(nodes, mark)
        case .object(let members):
            guard depth < limits.maxDepth else { throw TooLarge(message: "nesting deeper than \(limits.maxDepth) levels") }
            var pairs: [(key: YAMLScalarKey, value: YAMLNode)] = []
            for member in members {
                let child = try node(
                    member.value, path: path.isEmpty ? member.key : "\(path).\(member.key)", depth: depth + 1, limits: limits,
                    paths: &paths)
                // The key points where its value does: "unknown key" names the field.
                pairs.append((YAMLScalarKey(name: member.key, mark: child.mark), child))
            }
            return .mapping(pairs, mark)
        }
    }
}
