import Foundation

/// Reads the process environment for command-line defaults (only `main`'s commands use it).
enum GatewayEnvironment {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}
