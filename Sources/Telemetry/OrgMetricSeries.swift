import GatewayCore
import OrgServices
import Prometheus
import QueuePipeline

/// One org's metric series in the collector registry, made on first use and unregistered when the org
/// leaves the configuration (so a reload that drops an org also drops its series).
struct OrgMetricSeries {
    let sent: Counter
    let failed: Counter
    let retried: Counter
    let possibleDuplicates: Counter
    let deadLettered: Counter
    let parked: Counter
    let throttled: Counter
    let tokenRenewals: Counter
    let breakerTrips: Counter
    let breakerState: Gauge
    let limiterRate: Gauge
    let limiterConfiguredRate: Gauge
    let limiterQueued: Gauge
    let limiterPaused: Gauge
    let queueWaiting: Gauge
    let queueInGateway: Gauge
    /// Genesys latency by operation.
    private(set) var latency: [String: DurationHistogram] = [:]
    /// Genesys errors by HTTP status (`code`), made when a code is first seen.
    private(set) var errors: [String: Counter] = [:]
    /// Expired messages by message type, made when a type first expires.
    private(set) var expired: [String: Counter] = [:]
    /// Accepted webhook calls by the position of the secret that signed them, made when first seen.
    private(set) var webhookSignatures: [String: Counter] = [:]
    /// Messages dead-lettered because the tenant does not take their publisher, made on the first.
    private(set) var publisherRefusals: Counter?
    /// Counts already added to ``tokenRenewals`` and ``breakerTrips``, and whose counts they were.
    var renewalsSeen: SourcedCount?
    var tripsSeen: SourcedCount?

    private let labels: [(String, String)]

    init(key: OrgKey, collectors: PrometheusCollectorRegistry) {
        typealias Families = GatewayMetricFamilies
        let labels = [(Families.tenantLabel, key.tenantID), (Families.orgLabel, key.orgName)]
        self.labels = labels
        func counter(_ descriptor: MetricNameDescriptor) -> Counter {
            collectors.makeCounter(descriptor: descriptor, labels: labels)
        }
        func gauge(_ descriptor: MetricNameDescriptor) -> Gauge {
            collectors.makeGauge(descriptor: descriptor, labels: labels)
        }
        sent = counter(Families.sent)
        failed = counter(Families.failed)
        retried = counter(Families.retried)
        possibleDuplicates = counter(Families.possibleDuplicates)
        deadLettered = counter(Families.deadLettered)
        parked = counter(Families.parked)
        throttled = counter(Families.throttled)
        tokenRenewals = counter(Families.tokenRenewals)
        breakerTrips = counter(Families.breakerTrips)
        breakerState = gauge(Families.breakerState)
        limiterRate = gauge(Families.limiterRate)
        limiterConfiguredRate = gauge(Families.limiterConfiguredRate)
        limiterQueued = gauge(Families.limiterQueued)
        limiterPaused = gauge(Families.limiterPaused)
        queueWaiting = gauge(Families.queueWaiting)
        queueInGateway = gauge(Families.queueInGateway)
    }

    /// The latency histogram for `operation`, made on first use.
    mutating func latency(for operation: String, collectors: PrometheusCollectorRegistry) -> DurationHistogram {
        if let histogram = latency[operation] { return histogram }
        let histogram = collectors.makeDurationHistogram(
            descriptor: GatewayMetricFamilies.latency,
            labels: labels + [(GatewayMetricFamilies.operationLabel, operation)],
            buckets: GatewayMetricFamilies.latencyBuckets)
        latency[operation] = histogram
        return histogram
    }

    /// The error counter for `code` (``GatewayMetricFamilies/code(of:)``), made on first use.
    mutating func errors(code: String, collectors: PrometheusCollectorRegistry) -> Counter {
        if let counter = errors[code] { return counter }
        let counter = collectors.makeCounter(
            descriptor: GatewayMetricFamilies.errors, labels: labels + [(GatewayMetricFamilies.codeLabel, code)])
        errors[code] = counter
        return counter
    }

    /// The expired-message counter for message type `type` (a type the org has a sender for), made on first use.
    mutating func expired(type: String, collectors: PrometheusCollectorRegistry) -> Counter {
        if let counter = expired[type] { return counter }
        let counter = collectors.makeCounter(
            descriptor: GatewayMetricFamilies.expired, labels: labels + [(GatewayMetricFamilies.typeLabel, type)])
        expired[type] = counter
        return counter
    }

    /// The webhook signature counter for the org's secret at `position` (1-based), made on first use.
    mutating func webhookSignatures(position: Int, collectors: PrometheusCollectorRegistry) -> Counter {
        let label = String(position)
        if let counter = webhookSignatures[label] { return counter }
        let counter = collectors.makeCounter(
            descriptor: GatewayMetricFamilies.webhookSignatures, labels: labels + [(GatewayMetricFamilies.secretLabel, label)])
        webhookSignatures[label] = counter
        return counter
    }

    /// The counter of messages refused for their publisher, made on first use.
    mutating func publisherRefusals(collectors: PrometheusCollectorRegistry) -> Counter {
        if let publisherRefusals { return publisherRefusals }
        let counter = collectors.makeCounter(descriptor: GatewayMetricFamilies.publisherRefusals, labels: labels)
        publisherRefusals = counter
        return counter
    }

    /// Sets the scrape-time series from `reading`.
    mutating func apply(_ reading: OrgStateReading) {
        breakerState.set(GatewayMetricFamilies.value(of: reading.breaker.state))
        limiterRate.set(reading.limiter.currentRate)
        limiterConfiguredRate.set(reading.limiter.configuredRate)
        limiterQueued.set(Int64(reading.limiter.queued))
        limiterPaused.set(reading.limiter.pausedFor.seconds)
        queueWaiting.set(Int64(reading.backlog.waiting))
        queueInGateway.set(Int64(reading.backlog.inGateway))
        tripsSeen = SourcedCount(source: reading.breakerIdentity, count: reading.breaker.trips)
            .adding(to: breakerTrips, after: tripsSeen)
        if let renewals = reading.tokenRenewals {
            renewalsSeen = renewals.adding(to: tokenRenewals, after: renewalsSeen)
        }
    }

    func unregister(from collectors: PrometheusCollectorRegistry) {
        for counter in [sent, failed, retried, possibleDuplicates, deadLettered, parked, throttled, tokenRenewals, breakerTrips]
            + Array(errors.values) + Array(expired.values) + Array(webhookSignatures.values) + (publisherRefusals.map { [$0] } ?? [])
        {
            collectors.unregisterCounter(counter)
        }
        for gauge in [breakerState, limiterRate, limiterConfiguredRate, limiterQueued, limiterPaused, queueWaiting, queueInGateway] {
            collectors.unregisterGauge(gauge)
        }
        for histogram in latency.values {
            collectors.unregisterDurationHistogram(histogram)
        }
    }
}

/// A running count kept by some object (a token store, a breaker), and which object kept it.
///
/// An org whose credentials change gets a new token store counting from zero; knowing the source tells a
/// restart from a count that has not moved, so the exported counter never goes backwards or skips.
struct SourcedCount: Equatable {
    var source: ObjectIdentifier
    var count: Int

    /// Adds to `counter` what this count has grown by since `previous`, and returns what is now accounted
    /// for. A count from a new source is new in full.
    func adding(to counter: Counter, after previous: SourcedCount?) -> SourcedCount {
        guard let previous, previous.source == source else {
            if count > 0 { counter.increment(by: Int64(count)) }
            return self
        }
        guard count > previous.count else { return previous }
        counter.increment(by: Int64(count - previous.count))
        return self
    }
}
