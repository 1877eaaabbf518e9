import Foundation
import GatewayTestSupport
import Testing
@testable import GatewayCore

/// The transport settings' rules (issue 25): which of an org's settings replace the gateway's, and what a start
/// refuses.
@Suite struct HTTPTransportSettingsTests {
    static let gateway = HTTPTransportSettings(
        caFile: "/etc/ggw/ca.pem", caDirectory: "/etc/ggw/cas", clientCertificateFile: "/etc/ggw/gw.pem",
        clientKeyFile: "/etc/ggw/gw-key.pem", proxy: "http://egress:3128", noProxy: "internal.example")

    @Test func nothingOverriddenKeepsTheGatewaysSettings() {
        #expect(Self.gateway.overridden(by: HTTPTransportSettings()) == Self.gateway)
    }

    @Test func anOrgsCAFileReplacesTheGatewaysAndKeepsItsDirectory() {
        let merged = Self.gateway.overridden(by: HTTPTransportSettings(caFile: "/etc/acme/ca.pem"))
        #expect(merged.caFile == "/etc/acme/ca.pem")
        #expect(merged.caDirectory == "/etc/ggw/cas")
        #expect(merged.clientCertificateFile == "/etc/ggw/gw.pem" && merged.proxy == "http://egress:3128")
    }

    /// A certificate and its key go together: an org's certificate never meets the gateway's key.
    @Test func anOrgsClientCertificateReplacesTheGatewaysCertificateAndKey() {
        let merged = Self.gateway.overridden(by: HTTPTransportSettings(clientCertificateFile: "/etc/acme/c.pem", clientKeyFile: "/etc/acme/k.pem"))
        #expect(merged.clientCertificateFile == "/etc/acme/c.pem" && merged.clientKeyFile == "/etc/acme/k.pem")
        let half = Self.gateway.overridden(by: HTTPTransportSettings(clientCertificateFile: "/etc/acme/c.pem"))
        #expect(half.clientKeyFile == nil)
    }

    /// An org's proxy carries all its calls: the gateway's no-proxy list (and the environment's, which an empty list
    /// overrides in libcurl) was written for the gateway's proxy.
    @Test func anOrgsProxyIsUsedForEveryHost() {
        let merged = Self.gateway.overridden(by: HTTPTransportSettings(proxy: "socks5h://acme-egress:1080"))
        #expect(merged.proxy == "socks5h://acme-egress:1080")
        #expect(merged.noProxy == "")
        #expect(HTTPTransportSettings().overridden(by: HTTPTransportSettings(proxy: "http://p:1")).noProxy == "")
        #expect(Self.gateway.overridden(by: HTTPTransportSettings(noProxy: "*")).proxy == "http://egress:3128")
    }

    @Test func readableFilesAndAWellFormedProxyPass() {
        let folder = TemporaryDirectory()
        let file = folder.write("ca.pem", "-")
        let settings = HTTPTransportSettings(
            caFile: file, caDirectory: folder.path, clientCertificateFile: file, clientKeyFile: file,
            proxy: "HTTPS://user:pass@proxy.example:8443", noProxy: "localhost, .internal.example")
        #expect(settings.problems() == [])
    }

    @Test func eachProblemNamesItsSettingAndValue() {
        let folder = TemporaryDirectory()
        let file = folder.write("ca.pem", "-")
        let problems = HTTPTransportSettings(
            caFile: folder.path, caDirectory: file, clientCertificateFile: "/nonexistent/c.pem", proxy: "proxy.example:3128"
        ).problems().map(\.description)
        #expect(problems == [
            "CURLOPT_CAINFO \(folder.path): is a directory, not a file",
            "CURLOPT_CAPATH \(file): is not a directory",
            "CURLOPT_SSLCERT /nonexistent/c.pem: does not exist",
            "CURLOPT_SSLCERT /nonexistent/c.pem: needs CURLOPT_SSLKEY as well (a client certificate goes with its key)",
            "CURLOPT_PROXY proxy.example:3128: must start with http://, https://, socks5://, socks5h://",
        ])
    }

    @Test func aProxyLibcurlWouldReadOtherwiseIsRefusedItsPasswordHidden() {
        func problem(_ proxy: String) -> String? { HTTPTransportSettings(proxy: proxy).problems().first?.description }
        #expect(problem("socks4://proxy:1080")?.hasSuffix("must start with http://, https://, socks5://, socks5h://") == true)
        #expect(problem("http://") == "CURLOPT_PROXY http://: names no proxy host (or holds a space)")
        #expect(problem("http://proxy:3128/path?x=1") == "CURLOPT_PROXY http://proxy:3128/path?x=1: must be just the proxy's address: no path, query or fragment")
        #expect(problem("http://user:secret@proxy:3128/p") == "CURLOPT_PROXY http://user:***@proxy:3128/p: must be just the proxy's address: no path, query or fragment")
        #expect(problem("socks5://proxy:1080/") == nil)
    }

    @Test func anOptionNameReplacesTheLibcurlName() throws {
        let problem = try #require(HTTPTransportSettings(clientKeyFile: "/nonexistent/k.pem").problems().last)
        #expect(problem.described(as: "--http-client-key", partner: "--http-client-cert")
            == "--http-client-key /nonexistent/k.pem: needs --http-client-cert as well (a client certificate goes with its key)")
    }
}
