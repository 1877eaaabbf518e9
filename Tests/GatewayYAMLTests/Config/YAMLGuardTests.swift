import Testing
@testable import GatewayYAML

/// The parser's guards against hostile files: aliases, depth, size, node count, several documents.
@Suite struct YAMLGuardTests {
    @Test func aliasesAreRefusedSoAliasBombsCannotExpand() {
        let bomb = """
            a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
            """
        #expect(throws: YAMLParseError(mark: SourceMark(line: 2, column: 8), message: "YAML aliases are not allowed in tenant configs")) {
            try YAMLParser.parse(Array(bomb.utf8))
        }
    }

    @Test func nestingDeeperThanTheCapIsRefused() {
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        #expect(throws: YAMLParseError(mark: SourceMark(line: 1, column: 17), message: "nesting deeper than 16 levels")) {
            try YAMLParser.parse(Array(deep.utf8))
        }
    }

    @Test func filesOverTheSizeCapAreRefusedBeforeParsing() {
        let limits = YAMLLimits(maxBytes: 64)
        #expect(throws: YAMLParseError(mark: SourceMark(line: 1, column: 1), message: "file is 100 bytes, more than the 64-byte limit")) {
            try YAMLParser.parse(Array(repeating: UInt8(ascii: "a"), count: 100), limits: limits)
        }
    }

    @Test func tooManyNodesAreRefused() {
        let flat = "[" + Array(repeating: "1", count: 50).joined(separator: ",") + "]"
        #expect(throws: YAMLParseError.self) {
            try YAMLParser.parse(Array(flat.utf8), limits: YAMLLimits(maxNodes: 20))
        }
    }

    @Test func onlyOneDocumentPerFile() {
        #expect(throws: YAMLParseError(mark: SourceMark(line: 2, column: 1), message: "only one YAML document per file is allowed")) {
            try YAMLParser.parse(Array("a: 1\n---\nb: 2\n".utf8))
        }
    }

    @Test func anEmptyFileSaysSo() {
        #expect(throws: YAMLParseError(mark: SourceMark(line: 1, column: 1), message: "the file is empty")) {
            try YAMLParser.parse([])
        }
    }

    @Test func scalarsKeepWhetherTheyWereQuoted() throws {
        let node = try YAMLParser.parse(Array("a: 10\nb: \"10\"\n".utf8))
        guard case .mapping(let pairs, _) = node else {
            Issue.record("expected a mapping")
            return
        }
        #expect(pairs[0].value == .scalar("10", plain: true, SourceMark(line: 1, column: 4)))
        #expect(pairs[1].value == .scalar("10", plain: false, SourceMark(line: 2, column: 4)))
    }
}
