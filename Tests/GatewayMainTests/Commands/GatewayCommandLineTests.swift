import Foundation
import GatewayTestSupport
import Testing

/// Integration: the built `genesys-gateway` executable, run as a user would run it.
@Suite struct GatewayCommandLineTests {
    struct Outcome {
        var status: Int32
        var output: String
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltPlugins.buildDirectory + "/genesys-gateway")
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { mine, _ in mine }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    @Test func checkConfigPassesOnTheExampleTenants() throws {
        let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
        let environment = try ExampleEnvironment.load(from: Self.repository + "/scripts/example-env.sh")
        let outcome = try run(
            ["check-config", "--config-dir", Self.repository + "/TenantConfigs", "--plugins-dir", plugins.path],
            environment: environment)
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.hasSuffix("OK\n"))
        #expect(outcome.output.contains("org us [default]"))
    }

    @Test func checkConfigFailsWithEveryFileLineMessageOnABrokenCopy() throws {
        let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
        let environment = try ExampleEnvironment.load(from: Self.repository + "/scripts/example-env.sh")
        let configs = TemporaryDirectory()
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.repository + "/TenantConfigs") {
            let text = try String(contentsOfFile: Self.repository + "/TenantConfigs/" + file, encoding: .utf8)
            configs.write(file, text)
        }
        let globex = try String(contentsOfFile: configs.path + "/globex.yaml", encoding: .utf8)
        let broken = globex.replacingOccurrences(of: "messagesPerSecond: 5", with: "messagesPerSecond: 0")
            .replacingOccurrences(of: "maxAttempts: 5", with: "maxAttempts: five")
        configs.write("globex.yaml", broken)
        let lines = broken.split(separator: "\n", omittingEmptySubsequences: false)
        let rateLine = try #require(lines.firstIndex { $0.contains("messagesPerSecond: 0") }) + 1
        let attemptsLine = try #require(lines.firstIndex { $0.contains("maxAttempts: five") }) + 1
        let outcome = try run(
            ["check-config", "--config-dir", configs.path, "--plugins-dir", plugins.path], environment: environment)
        #expect(outcome.status == 1)
        #expect(outcome.output.contains("\(configs.path)/globex.yaml:\(rateLine):26: 'messagesPerSecond' in orgs[0] rateLimit must be greater than 0"))
        #expect(outcome.output.contains("\(configs.path)/globex.yaml:\(attemptsLine):20: 'maxAttempts' in orgs[0] retry must be a whole number"))
        #expect(outcome.output.contains("2 errors:"))
        #expect(outcome.output.contains("Tenants from \(configs.path): 2 valid of 3 files"))
    }

    @Test func pluginsListsEachPluginWithItsABIAndRefusesTheWrongMajorByName() throws {
        let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped + [BuiltPlugins.wrongMajor])
        let outcome = try run(["plugins", "--plugins-dir", plugins.path])
        #expect(outcome.status == 0)
        for name in ["text 1.0.0  sender  ABI 1.0", "media 1.0.0  sender  ABI 1.0", "default 1.0.0  error-policy  ABI 1.0", "typing 1.0.0  sender  ABI 1.0"] {
            #expect(outcome.output.contains(name), "\(outcome.output)")
        }
        #expect(outcome.output.contains("\(BuiltPlugins.wrongMajor): built for plugin ABI major 2, this host speaks major 1"))
    }
}
