import Foundation
import GatewayCore
import AMQPTransport
import Broker
import CurlHTTP
import GatewayTestSupport

/// One row of the matrix: a fresh gateway process on fresh queues, steady traffic, the fault in the middle
/// of it, then time for the gateway to settle everything.
struct FaultRun: Sendable {
    /// How long a run lasts.
    struct Timing: Sendable {
        /// Traffic before the fault, and again after it heals.
        var calm: Duration
        /// How long the fault lasts.
        var window: Duration
        /// After the last publish, how long the gateway gets to deliver or set aside the rest.
        var settle: Duration
    }

    let fault: Fault
    let world: ChaosWorld
    let timing: Timing
    /// `--allow-skip` named this row: if it cannot run here, it is reported as skipped instead of failing.
    var allowSkip = false
    /// Debugging the matrix itself (`--debug-without-fault`): run the row without its fault, to see its
    /// evidence check fail.
    var withoutFault = false

    func run() async throws -> Outcome {
        let runID = "\(fault.rawValue)-\(UUID().uuidString.prefix(6).lowercased())"
        let topology = QueueTopology(prefix: "chaos.\(runID)")
        let stateDirectory = "\(world.runDirectory)/state/\(runID)"
        var outcome = Outcome(fault: fault, logPath: "\(world.runDirectory)/logs/\(runID).log")
        try FileManager.default.createDirectory(atPath: "\(world.runDirectory)/logs", withIntermediateDirectories: true)

        var volume: StateVolume?
        if fault == .stateDirectoryFull {
            do {
                volume = try StateVolume.mount(at: stateDirectory)
            } catch let unavailable as StateVolumeUnavailable {
                outcome.cannotRun = unavailable.description
                outcome.skippedByFlag = allowSkip
                return outcome
            }
        }
        defer { volume?.unmount() }

        let apiPort = try FreePort.pick()
        let gateway = GatewayProcess(
            arguments: [
                world.gatewayBinary, "run", "--config-dir", world.configDirectory, "--plugins-dir", world.pluginsDirectory,
                "--state-dir", stateDirectory, "--amqp-url", world.broker.url, "--queue-prefix", "chaos.\(runID)",
                "--api-port", String(apiPort), "--allow-genesys-host", "127.0.0.1",
            ],
            environment: world.environment, apiPort: apiPort, logPath: outcome.logPath)
        try gateway.start()
        defer { gateway.stop() }
        let http = CurlHTTPClient()
        let ready = await gateway.waitUntilReady(http: http)
        await http.shutdown()
        guard ready else {
            throw ChaosError("the gateway for \(fault.rawValue) never became ready:\n\(gateway.logTail())")
        }

        let orgQueues = world.orgs.map { topology.orgQueue(for: OrgKey(tenantID: $0.tenant, orgName: "main")) }
        outcome.inFlightCap = try await world.broker.prefetchTotal(of: orgQueues)

        let ledger = Ledger()
        let collector = QueueCollector(setAsideIn: topology, url: world.broker.url, logger: world.logger)
        let publisher = LoadPublisher(
            orgs: world.orgs, rate: world.rate, duration: timing.calm + timing.window + timing.calm,
            poison: fault == .poisonMessages && !withoutFault, runID: runID, topology: topology, url: world.broker.url,
            logger: world.logger)
        let log = GatewayLog(path: outcome.logPath)
        let (check, injection) = try await withThrowingTaskGroup(of: Void.self, returning: (EvidenceCheck, Injection).self) { group in
            group.addTask { await collector.run() }
            defer { collector.stop() }  // also when a step below throws: the group waits for the collector
            // A crash watch: whatever dies by itself is counted and restarted, as a supervisor would.
            let watch = Task {
                while !Task.isCancelled {
                    _ = try? gateway.restartIfDead()
                    try? await Task.sleep(for: .milliseconds(250))
                }
            }
            defer { watch.cancel() }
            async let published: Void = publisher.run(into: ledger, giveUpAfter: timing.window + .seconds(60))
            try await Task.sleep(for: timing.calm)
            let check = EvidenceCheck(world: world, baseline: try EvidenceBaseline(world: world, log: log), log: log)
            var injection = Injection()
            if withoutFault {
                try await Task.sleep(for: timing.window)
            } else {
                injection = try await fault.inject(into: world, gateway: gateway, stateVolume: volume, window: timing.window)
            }
            await published

            let deadline = ContinuousClock.now + timing.settle
            while ContinuousClock.now < deadline {
                if tally(ledger, collector).lost == 0 { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            watch.cancel()
            gateway.stop()
            collector.stop()
            try await group.waitForAll()
            return (check, injection)
        }
        // What the gateway had not settled by the end waits in the broker (the stop handed back what it held).
        let left = await leftovers(in: topology)
        outcome.tally = Tally(ledger: ledger, received: world.sandbox.control.received(), setAside: collector.collected, leftovers: left)
        outcome.unconfirmed = ledger.unconfirmedCount
        outcome.kills = gateway.kills
        outcome.killsAttempted = gateway.killsAttempted
        outcome.crashes = gateway.crashes
        outcome.evidence = try check.evaluate(outcome, injection: injection)
        return outcome
    }

    /// Takes what is left in the ingress queue, the org queues and the retry tiers once the gateway stopped.
    /// (RabbitMQ's own counts lag by seconds for quorum queues, so they are not asked.)
    private func leftovers(in topology: QueueTopology) async -> [[UInt8]] {
        let queues = [topology.outboundDeclaration] + topology.retryTiers.map(topology.retryQueueDeclaration(for:))
            + world.orgs.map { topology.orgQueueDeclaration(for: OrgKey(tenantID: $0.tenant, orgName: "main")) }
        let collector = QueueCollector(queues: queues, url: world.broker.url, topology: topology, logger: world.logger)
        return await collector.collectUntilQuiet()
    }

    private func tally(_ ledger: Ledger, _ collector: QueueCollector) -> Tally {
        Tally(ledger: ledger, received: world.sandbox.control.received(), setAside: collector.collected, leftovers: [])
    }
}
