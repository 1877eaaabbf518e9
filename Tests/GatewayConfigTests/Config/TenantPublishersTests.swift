import GatewayTestSupport
import Testing
@testable import GatewayConfig

/// A tenant's `publishers`: the RabbitMQ users whose messages it takes.
@Suite struct TenantPublishersTests {
    func load(_ publishers: String?) -> (TenantConfig?, [String]) {
        let folder = TemporaryDirectory()
        let line = publishers.map { "publishers: \($0)\n" } ?? ""
        let file = folder.write("tenant.yaml", """
            id: acme
            \(line)orgs:
              - name: main
                region: mypurecloud.ie
                clientId: acme-client
                clientSecret: env:SECRET
                integrationId: int-1
            """)
        let (tenant, errors) = TenantConfigLoader().loadFile(file)
        return (tenant, errors.map { $0.description.replacingOccurrences(of: folder.path + "/", with: "") })
    }

    @Test func publishersAreReadAsAListOfUserNames() throws {
        let (tenant, errors) = load("[team-a, svc.platform@example]")
        #expect(errors == [])
        #expect(try #require(tenant).publishers == ["team-a", "svc.platform@example"])
        #expect(try #require(load(nil).0).publishers == nil, "no list takes any publisher")
        #expect(try #require(load("[]").0).publishers == [], "an empty list takes the gateway's own messages only")
    }

    @Test func aPublisherThatIsNoAMQPUserNameIsRefusedWhereItIsWritten() {
        let (tenant, errors) = load("[team-a, \(String(repeating: "x", count: 256))]")
        #expect(tenant == nil)
        #expect(errors == ["tenant.yaml:2:22: a 'publishers' entry is a RabbitMQ user name of at most 255 bytes"])
        #expect(load("team-a").1 == ["tenant.yaml:2:13: 'publishers' in tenant file must be a list, got a scalar"])
    }

    @Test func theRefusalNamesThePublisherAndTheGatewayIsAlwaysTaken() throws {
        let tenant = try #require(load("[team-a]").0)
        #expect(tenant.publisherRefusal(userID: "team-a", gatewayUser: "gw") == nil)
        #expect(tenant.publisherRefusal(userID: "gw", gatewayUser: "gw") == nil)
        #expect(tenant.publisherRefusal(userID: "team-b", gatewayUser: "gw")
            == "publisher refused: RabbitMQ user 'team-b' is not one of tenant 'acme''s publishers")
        #expect(tenant.publisherRefusal(userID: nil, gatewayUser: "gw")?.contains("has no user_id") == true)
        // A gateway whose own user is unknown takes nothing by that name.
        #expect(tenant.publisherRefusal(userID: "gw", gatewayUser: nil) != nil)
        let open = try #require(load(nil).0)
        #expect(open.publisherRefusal(userID: nil, gatewayUser: nil) == nil)
    }
}
