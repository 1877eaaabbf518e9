//
// SandboxEngine.swift — GenesysSandbox
// All the state of one sandbox, shared by the routes, the middleware and `SandboxControl`.
//

import Logging

/// The state of one running sandbox.
final class SandboxEngine: Sendable {
    let configuration: SandboxConfiguration
    let directory: Directory
    let validator: SchemaValidator
    let clock: any SandboxClock
    let tokens: TokenStore
    let rateLimiter: RateLimiter
    let faults: FaultInjector
    let conversations: ConversationStore
    let received: ReceivedLog
    let stats: TrafficStats
    let webhooks: WebhookDispatcher
    let logger: Logger

    /// - Throws: `SandboxError` when the configuration or the model definitions are unusable.
    init(configuration: SandboxConfiguration, clock: any SandboxClock, logger: Logger) throws {
        self.configuration = configuration
        self.directory = try Directory(configuration: configuration)
        let catalog = try configuration.modelsPath.map(ModelCatalog.init(contentsOf:)) ?? ModelCatalog.bundled()
        for required in InboundEndpoint.allCases.map(\.bodyModel) where catalog.schema(named: required) == nil {
            throw SandboxError.invalidModels("the models file lacks \(required)")
        }
        self.validator = SchemaValidator(
            catalog: catalog, rejectUnknownProperties: configuration.rejectUnknownProperties)
        for rule in configuration.faults { try rule.settings.validate() }
        self.clock = clock
        self.tokens = TokenStore(clock: clock)
        self.rateLimiter = RateLimiter(clock: clock)
        self.faults = FaultInjector(clock: clock, rules: configuration.faults)
        self.conversations = ConversationStore(clock: clock)
        self.received = ReceivedLog(capacity: configuration.maxRecordedMessages)
        self.stats = TrafficStats(clock: clock)
        self.webhooks = try WebhookDispatcher(policy: configuration.webhook, clock: clock, logger: logger)
        self.logger = logger
    }

    /// Clears what was received, the counters, the rate windows and all faults (not tokens).
    func resetObservations() {
        received.reset()
        stats.reset()
        rateLimiter.reset()
        faults.clearAll()
        webhooks.resetReports()
    }
}
