public import GatewayConfig

extension GenesysHostPolicy {
    /// The hosts the tests' and benchmarks' orgs name: the sandbox on this machine, and the made-up hosts that a
    /// ``ScriptedHTTPClient`` answers for (`genesys.test`, `<tenant>-<org>.genesys.test`, `login.test`). What
    /// `--allow-genesys-host 127.0.0.1` is to a gateway process.
    public static let testHosts: GenesysHostPolicy = {
        do {
            return try GenesysHostPolicy(allowing: ["127.0.0.1", "localhost", "genesys.test", "*.genesys.test", "login.test"])
        } catch {
            preconditionFailure("the test hosts are hosts: \(error)")
        }
    }()
}
