//
// SandboxRequestContext.swift — GenesysSandbox
// The per-request context: the channel (for connection resets), the correlation id, and what the
// auth gate learned, handed back out to the envelope middleware.
//

import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// What inner middleware learns about a request that outer middleware needs after the response.
final class RequestExchange: Sendable {
    struct Info: Sendable {
        var client: ClientRecord?
        var standing: RateStanding?
    }

    private let box = NIOLockedValueBox(Info())

    var info: Info { box.withLockedValue { $0 } }

    func update(_ change: (inout Info) -> Void) {
        box.withLockedValue { change(&$0) }
    }
}

/// Request context of the sandbox's router.
struct SandboxRequestContext: RequestContext {
    typealias Source = ApplicationRequestContextSource

    var coreContext: CoreRequestContextStorage
    /// The connection, closed with a reset by the connection-reset fault.
    let channel: any Channel
    /// The `ININ-Correlation-Id` of this request (also the ErrorBody `contextId`).
    var correlationId: String
    let exchange: RequestExchange

    init(source: Source) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
        self.correlationId = ""
        self.exchange = RequestExchange()
    }
}
