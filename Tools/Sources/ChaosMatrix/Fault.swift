import ArgumentParser
import Foundation
import GatewayTestSupport
import GenesysSandbox

/// One fault of the matrix: what breaks, for how long, and how it heals.
enum Fault: String, CaseIterable, ExpressibleByArgument, Sendable {
    case sigkillLoop = "sigkill-loop"
    case brokerRestart = "broker-restart"
    case brokerStopped = "broker-stopped"
    case genesysOutage = "genesys-outage"
    case throttleStorm = "429-storm"
    case tokenRevocation = "token-revocation"
    case stateDirectoryFull = "state-dir-full"
    case poisonMessages = "poison-messages"

    /// What the run does to the gateway's world while the fault lasts.
    var summary: String {
        switch self {
        case .sigkillLoop: return "the gateway is SIGKILLed 4 times and restarted"
        case .brokerRestart: return "RabbitMQ stops and starts again at once"
        case .brokerStopped: return "RabbitMQ is down for the whole window"
        case .genesysOutage: return "every Genesys call gets 503 for the whole window"
        case .throttleStorm: return "every Genesys call gets 429 (Retry-After: 1) for the whole window"
        case .tokenRevocation: return "every org's token is revoked each second (401s)"
        case .stateDirectoryFull: return "the state directory (a 64 MB tmpfs) is full for the whole window"
        case .poisonMessages: return "one message in ten has crafted headers or a crafted body"
        }
    }

    /// Breaks the world for `window`, then heals it.
    /// - Returns: what the injection itself counted (the tokens revoked); the rest of the evidence that the
    ///   fault took effect is read elsewhere (``EvidenceCheck``).
    func inject(into world: ChaosWorld, gateway: GatewayProcess, stateVolume: StateVolume?, window: Duration) async throws -> Injection {
        let clients = world.orgs.map(\.clientID)
        var injection = Injection()
        switch self {
        case .sigkillLoop:
            for _ in 0..<4 {
                try await Task.sleep(for: window / 4)
                try gateway.killAndRestart()
            }
        case .brokerRestart:
            try world.broker.stop()
            try world.broker.start()
            try await Task.sleep(for: window)
        case .brokerStopped:
            try world.broker.stop()
            try await Task.sleep(for: window)
            try world.broker.start()
        case .genesysOutage:
            for client in clients {
                try world.sandbox.control.setFaults(FaultSettings(outageSeconds: Int(window.components.seconds)), for: .client(client))
            }
            try await Task.sleep(for: window)
            world.sandbox.control.clearFaults()
        case .throttleStorm:
            for client in clients {
                try world.sandbox.control.setFaults(
                    FaultSettings(burst429Count: 1_000_000, burst429RetryAfterSeconds: 1), for: .client(client))
            }
            try await Task.sleep(for: window)
            world.sandbox.control.clearFaults()
        case .tokenRevocation:
            let end = ContinuousClock.now + window
            while ContinuousClock.now < end {
                for client in clients { injection.tokensRevoked += world.sandbox.control.revokeTokens(clientId: client) }
                try await Task.sleep(for: .seconds(1))
            }
        case .stateDirectoryFull:
            guard let stateVolume else { throw ChaosError("state-dir-full needs its tmpfs, and none was mounted") }
            try stateVolume.fill()
            try await Task.sleep(for: window)
            try stateVolume.drain()
        case .poisonMessages:
            // The crafted messages are part of the load itself (LoadPublisher); nothing else breaks.
            try await Task.sleep(for: window)
        }
        return injection
    }
}
