import Foundation

/// A strict reader of the Prometheus text format (0.0.4), for tests that check a `/metrics` answer both
/// parses and says what they expect.
///
/// Every sample must belong to a family declared by a `# TYPE` line before it (histogram samples by their
/// `_bucket`/`_sum`/`_count` suffixes), label values must be properly quoted and escaped, and values must
/// be numbers; anything else throws, naming the line.
public struct PrometheusExposition: Sendable {
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var line: Int
        public var text: String
        public var reason: String
        public var description: String { "line \(line): \(reason): \(text)" }
    }

    /// Family name → type (`counter`, `gauge`, `histogram`, ...).
    public private(set) var types: [String: String] = [:]
    /// Family name → help text.
    public private(set) var help: [String: String] = [:]
    public private(set) var samples: [Sample] = []

    public init(parsing text: String) throws {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fail = { (reason: String) in ParseError(line: index + 1, text: String(line), reason: reason) }
            if line.isEmpty { continue }
            if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2, Self.isName(parts[0]) else { throw fail("malformed TYPE line") }
                guard types[String(parts[0])] == nil else { throw fail("second TYPE line for the family") }
                types[String(parts[0])] = String(parts[1])
            } else if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                let name = rest.prefix { $0 != " " }
                guard Self.isName(name) else { throw fail("malformed HELP line") }
                help[String(name)] = String(rest.dropFirst(name.count + 1))
            } else if line.hasPrefix("#") {
                continue
            } else {
                guard let sample = Self.sample(line) else { throw fail("malformed sample") }
                guard family(of: sample.name) != nil else { throw fail("sample before its family's TYPE line") }
                samples.append(sample)
            }
        }
    }

    /// The value of the sample called `name` with exactly `labels`, if there is one.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Samples called `name` whose labels include `labels`.
    public func samples(_ name: String, matching labels: [String: String] = [:]) -> [Sample] {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
    }

    /// The declared family a sample name belongs to.
    public func family(of sampleName: String) -> String? {
        if types[sampleName] != nil { return sampleName }
        for suffix in ["_bucket", "_sum", "_count"] where sampleName.hasSuffix(suffix) {
            let base = String(sampleName.dropLast(suffix.count))
            if let type = types[base], type == "histogram" || type == "summary" { return base }
        }
        return nil
    }

    private static func isName(_ text: Substring) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" || first == ":" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    /// `name{label="value",...} value [timestamp]`.
    private static func sample(_ line: Substring) -> Sample? {
        var rest = line[...]
        let name = rest.prefix { $0 != "{" && $0 != " " }
        guard isName(name) else { return nil }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = rest.prefix { $0 != "=" }
                guard isName(label) else { return nil }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { return nil }
                rest = rest.dropFirst(2)
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\" {
                        switch rest.first {
                        case "n": value.append("\n")
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        default: return nil
                        }
                        rest = rest.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
                guard rest.first == "\"", labels[String(label)] == nil else { return nil }
                labels[String(label)] = value
                rest = rest.dropFirst()
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { return nil }
            }
            rest = rest.dropFirst()
        }
        let fields = rest.split(separator: " ")
        guard rest.first == " ", (1...2).contains(fields.count), let value = number(fields[0]) else { return nil }
        return Sample(name: String(name), labels: labels, value: value)
    }

    private static func number(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }
}
