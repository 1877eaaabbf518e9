import ArgumentParser
import Foundation

/// Reads the process environment for command-line defaults (only `main`'s commands use it).
enum GatewayEnvironment {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A whole-number setting: the option's value, else the environment variable's, checked against `range`;
    /// nil when neither is given. A value that is not a number or out of range is refused naming where it came
    /// from, never replaced by the default.
    static func integer(
        _ given: Int?, option: String, environment: String, in range: ClosedRange<Int>, unit: String
    ) throws -> Int? {
        let source: String
        let number: Int
        if let given {
            (source, number) = (option, given)
        } else if let text = value(environment) {
            guard let parsed = Int(text) else {
                throw ValidationError("\(environment) must be a whole number of \(unit), not '\(text)'")
            }
            (source, number) = (environment, parsed)
        } else {
            return nil
        }
        guard range.contains(number) else {
            throw ValidationError("\(source) must be between \(range.lowerBound) and \(range.upperBound) \(unit), not \(number)")
        }
        return number
    }
}
