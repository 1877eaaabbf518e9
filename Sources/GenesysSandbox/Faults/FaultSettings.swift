//
// FaultSettings.swift — GenesysSandbox
// What to break for one client or integration: latency, failures, outages, 429 bursts, slowness, resets.
//

/// Faults for one target. All fields default to "no fault"; set only what you need.
///
/// The same shape is the body of `PUT /sandbox/faults/{clients|integrations}/{id}`, the value of
/// a `faults[].settings` entry in the config file, and (as `key=value` pairs) the `--fault` flag.
public struct FaultSettings: Sendable, Codable, Equatable {
    /// Fixed latency added before every request is handled, in milliseconds.
    public var latencyMs: Int
    /// Random extra latency, uniform in `0...jitterMs` milliseconds.
    public var jitterMs: Int
    /// Share of requests (0...1) answered with one of `failureStatuses`.
    public var failureRate: Double
    /// Statuses an injected failure picks from (uniformly): 500, 502, 503 or 504.
    public var failureStatuses: [Int]
    /// Starts an outage when applied: every request gets 503 for this many seconds.
    public var outageSeconds: Int
    /// The next this-many requests get 429 `too.many.requests.retry.after`.
    public var burst429Count: Int
    /// `Retry-After` of those 429s, in seconds.
    public var burst429RetryAfterSeconds: Int
    /// Delay a response by this many milliseconds (to go beyond a client's timeout).
    public var slowResponseMs: Int
    /// Share of requests (0...1) that are slowed when `slowResponseMs` is set.
    public var slowResponseRate: Double
    /// Share of requests (0...1) whose TCP connection is reset without any response.
    public var resetRate: Double
    /// Customers (`channel.from.id`; `channel.to.id` for receipts) whose inbound messages all get the first
    /// of `failureStatuses`: one conversation failing while the rest of the integration works.
    public var failingCustomers: [String]

    /// Settings with every fault off unless given.
    public init(
        latencyMs: Int = 0, jitterMs: Int = 0, failureRate: Double = 0, failureStatuses: [Int] = [500, 502, 503],
        outageSeconds: Int = 0, burst429Count: Int = 0, burst429RetryAfterSeconds: Int = 1,
        slowResponseMs: Int = 0, slowResponseRate: Double = 1, resetRate: Double = 0, failingCustomers: [String] = []
    ) {
        self.latencyMs = latencyMs
        self.jitterMs = jitterMs
        self.failureRate = failureRate
        self.failureStatuses = failureStatuses
        self.outageSeconds = outageSeconds
        self.burst429Count = burst429Count
        self.burst429RetryAfterSeconds = burst429RetryAfterSeconds
        self.slowResponseMs = slowResponseMs
        self.slowResponseRate = slowResponseRate
        self.resetRate = resetRate
        self.failingCustomers = failingCustomers
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case latencyMs, jitterMs, failureRate, failureStatuses, outageSeconds, burst429Count
        case burst429RetryAfterSeconds, slowResponseMs, slowResponseRate, resetRate, failingCustomers
    }

    /// Decodes settings; missing keys mean "off". Out-of-range values throw.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = FaultSettings()
        func int(_ key: CodingKeys, _ fallback: Int) throws -> Int {
            try container.decodeIfPresent(Int.self, forKey: key) ?? fallback
        }
        func double(_ key: CodingKeys, _ fallback: Double) throws -> Double {
            try container.decodeIfPresent(Double.self, forKey: key) ?? fallback
        }
        self.init(
            latencyMs: try int(.latencyMs, 0), jitterMs: try int(.jitterMs, 0),
            failureRate: try double(.failureRate, 0),
            failureStatuses: try container.decodeIfPresent([Int].self, forKey: .failureStatuses)
                ?? defaults.failureStatuses,
            outageSeconds: try int(.outageSeconds, 0), burst429Count: try int(.burst429Count, 0),
            burst429RetryAfterSeconds: try int(.burst429RetryAfterSeconds, 1),
            slowResponseMs: try int(.slowResponseMs, 0), slowResponseRate: try double(.slowResponseRate, 1),
            resetRate: try double(.resetRate, 0),
            failingCustomers: try container.decodeIfPresent([String].self, forKey: .failingCustomers) ?? [])
        try validate()
    }

    /// Checks ranges: rates in 0...1, failure statuses among 500/502/503/504, no negative durations.
    public func validate() throws {
        let rates = [failureRate, slowResponseRate, resetRate]
        guard rates.allSatisfy({ (0...1).contains($0) }) else {
            throw SandboxError.invalidConfiguration("fault rates must be between 0 and 1")
        }
        guard failureStatuses.allSatisfy({ [500, 502, 503, 504].contains($0) }), !failureStatuses.isEmpty else {
            throw SandboxError.invalidConfiguration("failureStatuses may only hold 500, 502, 503 and 504")
        }
        let durations = [latencyMs, jitterMs, outageSeconds, burst429Count, slowResponseMs]
        guard durations.allSatisfy({ $0 >= 0 }), burst429RetryAfterSeconds >= 1 else {
            throw SandboxError.invalidConfiguration("fault durations and counts must not be negative")
        }
    }

    /// Parses `key=value,key=value` (the `--fault` flag's settings part), e.g.
    /// `latencyMs=200,jitterMs=50,failureRate=0.1,failureStatuses=500/503,failingCustomers=+15550001/+15550002`.
    public init(flagValue: String) throws {
        var settings = FaultSettings()
        for pair in flagValue.split(separator: ",") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                throw SandboxError.invalidConfiguration("fault setting \"\(pair)\" is not key=value")
            }
            try settings.set(parts[0], parts[1])
        }
        try settings.validate()
        self = settings
    }

    private mutating func set(_ key: String, _ value: String) throws {
        func int() throws -> Int {
            guard let number = Int(value) else { throw SandboxError.invalidConfiguration("\(key)=\(value): not an integer") }
            return number
        }
        func double() throws -> Double {
            guard let number = Double(value) else { throw SandboxError.invalidConfiguration("\(key)=\(value): not a number") }
            return number
        }
        switch CodingKeys(rawValue: key) {
        case .latencyMs: latencyMs = try int()
        case .jitterMs: jitterMs = try int()
        case .failureRate: failureRate = try double()
        case .failureStatuses:
            failureStatuses = try value.split(separator: "/").map {
                guard let status = Int($0) else { throw SandboxError.invalidConfiguration("failureStatuses=\(value)") }
                return status
            }
        case .outageSeconds: outageSeconds = try int()
        case .burst429Count: burst429Count = try int()
        case .burst429RetryAfterSeconds: burst429RetryAfterSeconds = try int()
        case .slowResponseMs: slowResponseMs = try int()
        case .slowResponseRate: slowResponseRate = try double()
        case .resetRate: resetRate = try double()
        case .failingCustomers: failingCustomers = value.split(separator: "/").map(String.init)
        case nil:
            let known = CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")
            throw SandboxError.invalidConfiguration("unknown fault setting \"\(key)\" (known: \(known))")
        }
    }
}
