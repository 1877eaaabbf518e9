import Foundation
import GatewayTestSupport
import Testing

@testable import GatewayCore
@testable import OrgServices

/// Issue 11, item 8: conversation owners were kept in memory only, so after a restart the other tenant of a
/// shared Genesys org could read a conversation the gateway had seen for its neighbour.
@Suite struct ConversationDirectoryPersistenceTests {
    @Test func ownersSurviveARestart() async throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/state/conversations.jsonl"
        let directory = try ConversationDirectory(persistingTo: path)
        await directory.record("c-1", owner: OrgKey(tenantID: "acme", orgName: "main"))
        var sent = StatusEvent(status: .sent, messageId: "m-1", tenantId: "globex", org: "eu")
        sent.conversationId = "c-2"
        await directory.publish(sent)
        let restarted = try ConversationDirectory(persistingTo: path)
        #expect(await restarted.owner(of: "c-1") == OrgKey(tenantID: "acme", orgName: "main"))
        #expect(await restarted.owner(of: "c-2") == OrgKey(tenantID: "globex", orgName: "eu"))
        #expect(await restarted.writeProblem == nil)
    }

    @Test func theRecordIsRewrittenWithTheNewestOwnersOnly() async throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/conversations.jsonl"
        let directory = try ConversationDirectory(capacity: 2, persistingTo: path)
        for index in 1...5 { await directory.record("c-\(index)", owner: OrgKey(tenantID: "acme", orgName: "main")) }
        let restarted = try ConversationDirectory(capacity: 2, persistingTo: path)
        #expect(await restarted.owner(of: "c-5") != nil)
        #expect(await restarted.owner(of: "c-1") == nil)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count <= 4)
    }
}
