import Foundation

/// What the gateway processes and RabbitMQ cost with nothing to send (issue 24, "idle is free"): their CPU in
/// milliseconds per second of wall time over a window that starts once a load has drained, and the gateway's RSS.
/// Read from `/proc` like the phase's figures: the gateway processes' own, and the broker's through
/// `GGW_BROKER_PID`.
struct IdleCost {
    let tenants: Int
    let window: Double
    let gatewayMsPerSecond: Double
    let brokerMsPerSecond: Double?
    /// The whole machine's busy time in the window: how quiet the machine was (other work runs on it too).
    let machineMsPerSecond: Double?
    let gatewayResidentMiB: [Int]

    /// A pause before the window: the last acks and status events of the load, and the broker's handling of
    /// them, belong to the load, not to idling.
    static let settle = Duration.seconds(5)

    static func measure(_ gateways: MeasuredProcesses, tenants: Int, seconds: Int) async throws -> IdleCost {
        try await Task.sleep(for: settle)
        let before = ProcessUsage.now()
        let gatewayBefore = gateways.cpuSeconds
        try await Task.sleep(for: .seconds(seconds))
        let after = ProcessUsage.now()
        let window = after.wall - before.wall
        let perSecond = { (seconds: Double) in seconds * 1000 / window }
        return IdleCost(
            tenants: tenants, window: window, gatewayMsPerSecond: perSecond(gateways.cpuSeconds - gatewayBefore),
            brokerMsPerSecond: before.brokerSeconds.flatMap { b0 in after.brokerSeconds.map { perSecond($0 - b0) } },
            machineMsPerSecond: before.machineBusySeconds.flatMap { m0 in after.machineBusySeconds.map { perSecond($0 - m0) } },
            gatewayResidentMiB: gateways.residentMiB)
    }

    /// `idle (1000 tenants, 30 s): gateway 112 ms/s, RabbitMQ 180 ms/s, gateway RSS 95 MiB; ...`
    var line: String {
        var line = "idle (\(tenants) tenants, \(fmt(window, 0)) s): gateway \(fmt(gatewayMsPerSecond, 1)) ms/s"
        if let brokerMsPerSecond { line += ", RabbitMQ \(fmt(brokerMsPerSecond, 1)) ms/s" }
        line += ", gateway RSS \(gatewayResidentMiB.map { "\($0) MiB" }.joined(separator: ", "))"
        if let machineMsPerSecond { line += "; whole machine busy \(fmt(machineMsPerSecond, 0)) ms/s of \(ProcessInfo.processInfo.activeProcessorCount * 1000)" }
        return line + " (goal: gateway <= 20 ms/s, RabbitMQ <= 30 ms/s)"
    }
}
