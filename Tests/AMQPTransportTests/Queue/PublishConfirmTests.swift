import Testing
@testable import AMQPTransport
@testable import Broker

@Suite struct PublishConfirmTests {
    @Test func anAnswerGivenBeforeAnyoneWaitsIsKept() async throws {
        let confirm = PublishConfirm()
        confirm.complete(.success(()))
        try await confirm.confirmed()
    }

    @Test func theFirstAnswerStands() async {
        let confirm = PublishConfirm()
        confirm.complete(.failure(AMQPError("publish", "returned")))
        confirm.complete(.success(()))
        await #expect(throws: AMQPError.self) { try await confirm.confirmed() }
    }

    @Test func aWaiterIsWokenByTheAnswer() async throws {
        let confirm = PublishConfirm()
        async let waited: Void = confirm.confirmed()
        await Task.yield()
        confirm.complete(.success(()))
        try await waited
    }
}
