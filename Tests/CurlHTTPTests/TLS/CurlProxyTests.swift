import Foundation
import GatewayTestSupport
import Testing
@testable import CurlHTTP
@testable import GatewayCore

/// `CURLOPT_PROXY` and `CURLOPT_NOPROXY` (issue 25): HTTPS calls through a CONNECT proxy on 127.0.0.1 that counts its
/// tunnels, so each test knows whether the proxy carried the call.
@Suite(.timeLimit(.minutes(1))) struct CurlProxyTests {
    /// Runs `body` with a proxy of its own, stopped afterwards.
    static func withProxy<T>(_ body: (ConnectProxy) async throws -> T) async throws -> T {
        let proxy = try ConnectProxy()
        defer { proxy.stop() }
        return try await body(proxy)
    }

    /// `127.0.0.1:<port>` of a URL on 127.0.0.1.
    static func authority(_ url: String) -> String {
        String(url.dropFirst("https://".count).prefix { $0 != "/" })
    }

    @Test func aCallGoesThroughTheProxy() async throws {
        try await HTTPSSandbox.run { url, certificates in
            try await Self.withProxy { proxy in
                try await HTTPSSandbox.withClient(HTTPTransportSettings(caFile: certificates.ca, proxy: proxy.url)) { client async throws in
                    #expect(try await HTTPSSandbox.get(url, client).status == 200)
                    #expect(proxy.tunnels == [Self.authority(url)])
                }
            }
        }
    }

    @Test func aHostOnTheNoProxyListIsReachedDirectly() async throws {
        try await HTTPSSandbox.run { url, certificates in
            try await Self.withProxy { proxy in
                let transport = HTTPTransportSettings(caFile: certificates.ca, proxy: proxy.url, noProxy: "127.0.0.1")
                try await HTTPSSandbox.withClient(transport) { client async throws in
                    #expect(try await HTTPSSandbox.get(url, client).status == 200)
                    #expect(proxy.tunnels.isEmpty)
                }
            }
        }
    }

    /// An org's own proxy carries its calls even to a host the gateway's no-proxy list names: that list was written
    /// for the gateway's proxy.
    @Test func aRequestsProxyIsUsedForEveryHost() async throws {
        try await HTTPSSandbox.run { url, certificates in
            try await Self.withProxy { gatewayProxy in
                try await Self.withProxy { orgProxy in
                    let transport = HTTPTransportSettings(caFile: certificates.ca, proxy: gatewayProxy.url, noProxy: "127.0.0.1")
                    try await HTTPSSandbox.withClient(transport) { client async throws in
                        let response = try await HTTPSSandbox.get(url, client, transport: HTTPTransportSettings(proxy: orgProxy.url))
                        #expect(response.status == 200)
                        #expect(orgProxy.tunnels.count == 1)
                        #expect(gatewayProxy.tunnels.isEmpty)
                    }
                }
            }
        }
    }

    /// A kept easy handle forgets the proxy of its last transfer (`curl_easy_reset`), and libcurl does not hand the
    /// proxied connection to a call without the proxy.
    @Test func aCallAfterAProxiedOneOnTheSameHandleGoesDirect() async throws {
        try await HTTPSSandbox.run { url, certificates in
            try await Self.withProxy { proxy in
                try await HTTPSSandbox.withClient(HTTPTransportSettings(caFile: certificates.ca), idleHandles: 1) { client async throws in
                    #expect(try await HTTPSSandbox.get(url, client, transport: HTTPTransportSettings(proxy: proxy.url)).status == 200)
                    #expect(try await HTTPSSandbox.get(url, client).status == 200)
                    #expect(proxy.tunnels.count == 1)
                }
            }
        }
    }

    /// The proxy refusing the tunnel is a transport error naming the proxy, its password hidden.
    @Test func aRefusedTunnelNamesTheProxyWithoutItsPassword() async throws {
        try await Self.withProxy { proxy in
            let withPassword = "http://gateway:s3cret-proxy-pass@127.0.0.1:\(proxy.port)"
            try await HTTPSSandbox.withClient(HTTPTransportSettings(proxy: withPassword)) { client async throws in
                // The proxy tunnels only to this machine: it refuses this host without looking it up.
                let error = try #require(await HTTPSSandbox.failure("https://genesys.invalid/api/v2", client))
                #expect(error.kind == .connection, "\(error)")
                #expect(error.message.contains("(through proxy http://gateway:***@127.0.0.1:\(proxy.port))"), "\(error)")
                #expect(!error.description.contains("s3cret"), "\(error)")
                #expect(proxy.refusals == ["CONNECT genesys.invalid:443 HTTP/1.1"])
            }
        }
    }
}
