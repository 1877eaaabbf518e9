import GenesysSandbox

/// Whether a row's fault took effect, and what shows it (e.g. "503 injected: 412", "kills: 4 of 4").
/// A row whose fault was not seen fails: it would otherwise pass without testing anything.
struct FaultEvidence: Sendable {
    var seen: Bool
    var evidence: String
}

/// What the fault itself reported while it was injected.
struct Injection: Sendable {
    /// Tokens `revoke-tokens` invalidated (the sandbox's own count, summed over the calls).
    var tokensRevoked = 0
}

/// What the matrix reads just before the fault, to compare with what it reads once the row has settled:
/// the sandbox's counts of injected answers to the run's OAuth clients, and where the gateway's log ended.
struct EvidenceBaseline: Sendable {
    let injected: [InjectedAnswer: Int]
    let logOffset: UInt64

    init(world: ChaosWorld, log: GatewayLog) throws(GatewayLogError) {
        injected = Self.injected(in: world)
        logOffset = try log.end()
    }

    /// The sandbox's injected answers to the run's clients, by kind.
    static func injected(in world: ChaosWorld) -> [InjectedAnswer: Int] {
        let stats = world.sandbox.control.stats()
        var sums: [InjectedAnswer: Int] = [:]
        for org in world.orgs {
            for (answer, count) in stats.injected[.client(org.clientID)] ?? [:] { sums[answer, default: 0] += count }
        }
        return sums
    }
}

/// Decides, per fault, whether it took effect — from sources other than the matrix's own intention: the
/// sandbox's counts of the answers it injected, the wait status of the killed gateway, the gateway's log.
struct EvidenceCheck: Sendable {
    let world: ChaosWorld
    let baseline: EvidenceBaseline
    let log: GatewayLog

    func evaluate(_ outcome: FaultRun.Outcome, injection: Injection) throws(GatewayLogError) -> FaultEvidence {
        switch outcome.fault {
        case .sigkillLoop:
            // Every kill tried must have hit a running gateway and ended it by SIGKILL (its wait status).
            return FaultEvidence(
                seen: outcome.killsAttempted > 0 && outcome.kills == outcome.killsAttempted,
                evidence: "kills: \(outcome.kills) of \(outcome.killsAttempted)")
        case .brokerRestart, .brokerStopped:
            let (failures, reconnects) = GatewayLog.brokerConnection(in: try newLines())
            return FaultEvidence(
                seen: failures > 0 && reconnects > 0,
                evidence: "connection failures logged: \(failures), reconnects: \(reconnects)")
        case .genesysOutage:
            let count = injectedSince(.outage)
            return FaultEvidence(seen: count > 0, evidence: "503 injected: \(count)")
        case .throttleStorm:
            let count = injectedSince(.throttled)
            return FaultEvidence(seen: count > 0, evidence: "429 injected: \(count)")
        case .tokenRevocation:
            let count = injectedSince(.revokedToken)
            return FaultEvidence(
                seen: injection.tokensRevoked > 0 && count > 0,
                evidence: "tokens revoked: \(injection.tokensRevoked), 401 injected: \(count)")
        case .stateDirectoryFull:
            let reports = GatewayLog.fullDiskReports(in: try newLines())
            return FaultEvidence(seen: reports > 0, evidence: "ENOSPC reported by the gateway: \(reports)")
        case .poisonMessages:
            let tally = outcome.tally
            return FaultEvidence(
                seen: tally.poisonPublished > 0 && tally.poisonSetAside > 0,
                evidence: "poison published: \(tally.poisonPublished), set aside: \(tally.poisonSetAside)")
        }
    }

    private func injectedSince(_ answer: InjectedAnswer) -> Int {
        (EvidenceBaseline.injected(in: world)[answer] ?? 0) - (baseline.injected[answer] ?? 0)
    }

    private func newLines() throws(GatewayLogError) -> [Substring] {
        try log.lines(from: baseline.logOffset)
    }
}
