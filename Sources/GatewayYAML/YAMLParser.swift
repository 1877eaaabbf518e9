import CYAML

/// Parses one YAML document into a ``YAMLNode`` tree with libyaml's event API.
///
/// Owns the `yaml_parser_t` and the input copy it reads from; both are freed in `deinit`. Aliases are refused
/// outright (anchors are harmless, expanding aliases is how "billion laughs" files blow up), and the size,
/// depth and node-count limits in ``YAMLLimits`` bound the work a file can cause.
package final class YAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let limits: YAMLLimits
    private var nodeCount = 0

    /// Parses `bytes` as exactly one YAML document.
    package static func parse(_ bytes: [UInt8], limits: YAMLLimits = YAMLLimits()) throws(YAMLParseError) -> YAMLNode {
        guard bytes.count <= limits.maxBytes else {
            throw YAMLParseError(
                mark: SourceMark(line: 1, column: 1),
                message: "file is \(bytes.count) bytes, more than the \(limits.maxBytes)-byte limit")
        }
        let parser = YAMLParser(bytes, limits: limits)
        return try parser.document()
    }

    private init(_ bytes: [UInt8], limits: YAMLLimits) {
        self.limits = limits
        parser = .allocate(capacity: 1)
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        yaml_parser_initialize(parser)
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    // MARK: - Events

    private enum Event {
        case streamStart, streamEnd, documentStart, documentEnd
        case scalar(String, plain: Bool)
        case sequenceStart, sequenceEnd, mappingStart, mappingEnd
        case alias
    }

    private func nextEvent() throws(YAMLParseError) -> (Event, SourceMark) {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw parserError() }
        defer { yaml_event_delete(&event) }
        let mark = SourceMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_STREAM_START_EVENT: return (.streamStart, mark)
        case YAML_STREAM_END_EVENT: return (.streamEnd, mark)
        case YAML_DOCUMENT_START_EVENT: return (.documentStart, mark)
        case YAML_DOCUMENT_END_EVENT: return (.documentEnd, mark)
        case YAML_ALIAS_EVENT: return (.alias, mark)
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = scalar.value.map {
                String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self)
            } ?? ""
            return (.scalar(text, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE), mark)
        case YAML_SEQUENCE_START_EVENT: return (.sequenceStart, mark)
        case YAML_SEQUENCE_END_EVENT: return (.sequenceEnd, mark)
        case YAML_MAPPING_START_EVENT: return (.mappingStart, mark)
        case YAML_MAPPING_END_EVENT: return (.mappingEnd, mark)
        default:
            throw YAMLParseError(mark: mark, message: "unexpected YAML event \(event.type.rawValue)")
        }
    }

    private func parserError() -> YAMLParseError {
        let problem = parser.pointee.problem.map { String(cString: $0) } ?? "malformed YAML"
        let context = parser.pointee.context.map { String(cString: $0) }
        let mark = parser.pointee.problem_mark
        let message = context.map { "\(problem) \($0)" } ?? problem
        return YAMLParseError(mark: SourceMark(line: Int(mark.line) + 1, column: Int(mark.column) + 1), message: message)
    }

    // MARK: - Tree

    private func document() throws(YAMLParseError) -> YAMLNode {
        guard case (.streamStart, _) = try nextEvent() else {
            throw YAMLParseError(mark: SourceMark(line: 1, column: 1), message: "not a YAML stream")
        }
        let (first, firstMark) = try nextEvent()
        guard case .documentStart = first else {
            throw YAMLParseError(mark: firstMark, message: "the file is empty")
        }
        let root = try node(depth: 0)
        _ = try nextEvent()  // document end
        let (after, afterMark) = try nextEvent()
        guard case .streamEnd = after else {
            throw YAMLParseError(mark: afterMark, message: "only one YAML document per file is allowed")
        }
        return root
    }

    private func node(depth: Int) throws(YAMLParseError) -> YAMLNode {
        let (event, mark) = try nextEvent()
        return try node(from: event, at: mark, depth: depth)
    }

    private func node(from event: Event, at mark: SourceMark, depth: Int) throws(YAMLParseError) -> YAMLNode {
        nodeCount += 1
        guard nodeCount <= limits.maxNodes else {
            throw YAMLParseError(mark: mark, message: "more than \(limits.maxNodes) YAML nodes")
        }
        switch event {
        case .scalar(let text, let plain):
            return .scalar(text, plain: plain, mark)
        case .alias:
            throw YAMLParseError(mark: mark, message: "YAML aliases are not allowed in tenant configs")
        case .sequenceStart:
            try checkDepth(depth + 1, at: mark)
            var items: [YAMLNode] = []
            while true {
                let (next, nextMark) = try nextEvent()
                if case .sequenceEnd = next { return .sequence(items, mark) }
                items.append(try node(from: next, at: nextMark, depth: depth + 1))
            }
        case .mappingStart:
            try checkDepth(depth + 1, at: mark)
            var pairs: [(key: YAMLScalarKey, value: YAMLNode)] = []
            while true {
                let (next, keyMark) = try nextEvent()
                if case .mappingEnd = next { return .mapping(pairs, mark) }
                guard case .scalar(let name, _) = next else {
                    throw YAMLParseError(mark: keyMark, message: "mapping keys must be plain scalars")
                }
                if pairs.contains(where: { $0.key.name == name }) {
                    throw YAMLParseError(mark: keyMark, message: "duplicate key '\(name)'")
                }
                pairs.append((YAMLScalarKey(name: name, mark: keyMark), try node(depth: depth + 1)))
            }
        default:
            throw YAMLParseError(mark: mark, message: "unexpected structure in YAML document")
        }
    }

    private func checkDepth(_ depth: Int, at mark: SourceMark) throws(YAMLParseError) {
        guard depth <= limits.maxDepth else {
            throw YAMLParseError(mark: mark, message: "nesting deeper than \(limits.maxDepth) levels")
        }
    }
}
