import Foundation
import GatewayTestSupport
import Testing

/// Issue 26: `--log-level` and `--log-format json`, for a log pipeline that indexes fields instead of parsing text.
extension GatewayCommandLineTests {
    /// `run` on an empty config folder logs what it loads, then "no valid tenant to serve", and exits 1.
    func runWithoutTenants(_ arguments: [String], environment: [String: String] = [:]) throws -> (configs: String, lines: [String]) {
        let configs = TemporaryDirectory()
        let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
        let outcome = try run(["run", "--config-dir", configs.path, "--plugins-dir", plugins.path] + arguments, environment: environment)
        #expect(outcome.status == 1, "\(outcome.output)")
        return (configs.path, outcome.output.split(separator: "\n").map(String.init))
    }

    @Test func jsonLogsAreOneObjectALineWithTheMetadataAsFields() throws {
        let (configs, lines) = try runWithoutTenants(["--log-format", "json"])
        let objects = try lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
        }
        let last = try #require(objects.first { $0["message"] as? String == "no valid tenant to serve" }, "\(lines)")
        #expect(last["level"] as? String == "critical")
        #expect(last["logger"] as? String == "genesys-gateway")
        #expect(last["config.dir"] as? String == configs)
        #expect((last["time"] as? String)?.hasSuffix("Z") == true)
        let error = try #require(objects.first { $0["level"] as? String == "error" }, "\(lines)")
        #expect(error["message"] as? String == "tenant config error")
        #expect((error["error"] as? String)?.contains("no tenant files") == true)
    }

    @Test func theLogLevelLeavesOutWhatIsLessSevereAndComesFromTheEnvironmentToo() throws {
        let (_, quiet) = try runWithoutTenants(["--log-format", "json", "--log-level", "critical"])
        #expect(quiet.count == 1 && quiet.first?.contains(#""level":"critical""#) == true, "\(quiet)")
        let (_, text) = try runWithoutTenants([])
        #expect(text.contains { $0.contains("error") && $0.contains("tenant config error") } && !text.contains { $0.hasPrefix("{") }, "\(text)")
        let (_, fromEnvironment) = try runWithoutTenants([], environment: ["GGW_LOG_FORMAT": "json", "GGW_LOG_LEVEL": "critical"])
        #expect(fromEnvironment.count == 1 && fromEnvironment.first?.hasPrefix("{") == true, "\(fromEnvironment)")
    }

    @Test func aLogSettingThatIsNoneIsRefusedNamingWhereItCameFrom() throws {
        let configs = TemporaryDirectory()
        let option = try run(["run", "--config-dir", configs.path, "--log-format", "xml"])
        #expect(option.status != 0 && option.output.contains("--log-format must be text or json, not 'xml'"), "\(option.output)")
        let variable = try run(["check-config", "--config-dir", configs.path], environment: ["GGW_LOG_LEVEL": "loud"])
        #expect(variable.status != 0 && variable.output.contains("GGW_LOG_LEVEL must be one of trace, debug, info"), "\(variable.output)")
    }
}
