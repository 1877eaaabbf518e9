//
// WebhookReceiver.swift — GenesysSandboxTests
// A real HTTP endpoint (Hummingbird on a free port) standing in for the gateway's webhook.
//

import Foundation
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// Records every POST it gets and answers with scripted statuses (then 200).
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let body: [UInt8]
        let signature: String?
    }

    private let state: NIOLockedValueBox<(script: [Int], received: [Received])>

    init(statuses: [Int] = []) {
        state = NIOLockedValueBox((statuses, []))
    }

    var received: [Received] { state.withLockedValue { $0.received } }

    /// Runs the receiver on a free port while `body` runs with its URL.
    func withRunning(_ body: (String) async throws -> Void) async throws {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let status = self.state.withLockedValue { state -> Int in
                state.received.append(Received(body: Array(buffer: buffer), signature: request.headers[HTTPFields.Element.Name("X-Hub-Signature-256")!]))
                return state.script.isEmpty ? 200 : state.script.removeFirst()
            }
            return Response(status: .init(code: status))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(services: [app], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { continuation.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            var failure: (any Error)?
            do {
                try await body("http://127.0.0.1:\(port)/hook")
            } catch {
                failure = error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            if let failure { throw failure }
        }
    }
}
