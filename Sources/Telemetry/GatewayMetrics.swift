public import GatewayConfig
public import GatewayCore
public import GatewayDelivery
public import OrgServices
public import Prometheus
public import QueuePipeline
import Synchronization

/// The gateway's Prometheus metrics, per tenant and org: messages sent, failed, retried, dead-lettered and
/// parked, Genesys 429s and latency, each org's rate limiter, circuit breaker and token renewals; and the
/// tenant service's fetches, when there is one; what the status store holds, when it is given.
///
/// Fed from three sides: every Genesys call (as the ``GenesysCallObserving`` the delivery core reports to),
/// every queued message's status (as a ``StatusSink`` beside the AMQP one), and each org's limiter, breaker
/// and token store, read when ``exposition()`` is called. docs/metrics.md lists the families.
///
/// Label values are only ever configured tenant ids, org names and a bounded set of operations: a tenant
/// or org the configuration does not know is counted under `(unknown)`, and an org that a reload removed
/// loses its series at the next scrape.
public final class GatewayMetrics: GenesysCallObserving, StatusSink, Sendable {
    /// The `Content-Type` of ``exposition()``'s text (Prometheus text format 0.0.4).
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    /// The `operation` of a Genesys call that sends a message: the only calls counted as sent or failed.
    public static let messageOperation = "message"

    /// Where the series live. Other parts of the gateway may add their own (the HTTP API's request counts,
    /// say); they come out in the same exposition.
    public let prometheus: PrometheusCollectorRegistry
    private let tenants: @Sendable () -> TenantRegistry
    private let backlog: @Sendable () -> [OrgKey: OrgBacklog]
    private let table = Mutex(SeriesTable())
    /// `genesys_gateway_ready`, made the first time a readiness is recorded (in-process uses without an API
    /// never show it).
    private let ready = Mutex<Gauge?>(nil)
    /// One scrape at a time, so two scrapes never both add the same growth of a read count.
    private let scrapes = AsyncSemaphore(limit: 1)
    /// The tenant service's fetches, when tenants also come from one.
    private let tenantService: TenantServiceSeries?
    private let statusHistory: StatusHistorySeries?
    /// The API listeners' certificate, made at its first record (a gateway without TLS shows none).
    private let tlsCertificate = Mutex<TLSCertificateSeries?>(nil)

    /// - Parameters:
    ///   - tenants: the configuration in force now; called on every update, so a reload is seen at once.
    ///   - prometheus: the collector registry to put the series in.
    ///   - backlog: each org's messages waiting in its queue and in the gateway, read at scrape time.
    ///   - tenantService: the tenant service's health, read at scrape time; nil when there is no tenant service.
    ///   - statusHistory: the status store, read at scrape time; nil shows no `status_history` series.
    public init(
        tenants: @escaping @Sendable () -> TenantRegistry, backlog: @escaping @Sendable () -> [OrgKey: OrgBacklog] = { [:] },
        tenantService: TenantServiceHealth? = nil, statusHistory: MessageStatusStore? = nil,
        prometheus: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) {
        self.tenants = tenants
        self.backlog = backlog
        self.prometheus = prometheus
        self.tenantService = tenantService.map { TenantServiceSeries(health: $0, collectors: prometheus) }
        self.statusHistory = statusHistory.map { StatusHistorySeries(store: $0, collectors: prometheus) }
    }

    /// A swift-metrics factory writing into the same registry, for libraries that report through
    /// swift-metrics (`main` may bootstrap `MetricsSystem` with it; this type never touches global state).
    public var factory: PrometheusMetricsFactory {
        PrometheusMetricsFactory(registry: prometheus)
    }

    public func observe(_ call: GenesysCallRecord) {
        let key = labelKey(for: call.org)
        // Every call Genesys refused or did not answer is counted by its status, whatever the operation.
        let answered = call.status.map { (200..<300).contains($0) } ?? false
        let code: String? = answered ? nil : GatewayMetricFamilies.code(of: call.status)
        let (series, latency, errors): (OrgMetricSeries, DurationHistogram, Counter?) = table.withLock { table in
            let operation = table.operationLabel(call.operation)
            return table.withSeries(key, prometheus) { series in
                let latency = series.latency(for: operation, collectors: prometheus)
                let errors = code.map { series.errors(code: $0, collectors: prometheus) }
                return (series, latency, errors)
            }
        }
        latency.record(call.duration)
        errors?.increment()
        if call.operation == Self.messageOperation {
            if let status = call.status, (200..<300).contains(status) {
                series.sent.increment()
            } else {
                series.failed.increment()
            }
        }
        if call.status == 429 {
            series.throttled.increment()
        }
    }

    /// Counts an accepted webhook call by which of its org's secrets signed it (`secret` 0 is the first
    /// listed): once the second's count stops growing, the old secret can go.
    public func webhookSignatureMatched(org: OrgKey, secret: Int) {
        let key = labelKey(for: org)
        let counter = table.withLock { table in
            table.withSeries(key, prometheus) { $0.webhookSignatures(position: secret + 1, collectors: prometheus) }
        }
        counter.increment()
    }

    public func publish(_ event: StatusEvent) async {
        let key = labelKey(for: OrgKey(tenantID: event.tenantId, orgName: event.org))
        let expiredType = event.status == .expired ? typeLabel(event.messageType, org: key) : nil
        let refusedPublisher = event.status == .deadLettered && event.publisherRefused == true
        let (series, expired, publisherRefusals) = table.withLock { table in
            table.withSeries(key, prometheus) { series in
                (series, expiredType.map { series.expired(type: $0, collectors: prometheus) },
                 refusedPublisher ? series.publisherRefusals(collectors: prometheus) : nil)
            }
        }
        publisherRefusals?.increment()
        switch event.status {
        case .retrying: series.retried.increment()
        case .deadLettered: series.deadLettered.increment()
        case .parked: series.parked.increment()
        case .expired: expired?.increment()
        case .sent where event.possibleDuplicate == true: series.possibleDuplicates.increment()
        // Sends are counted from Genesys' answers (API sends publish no status); circuits are read at scrape.
        case .queued, .accepted, .sent, .circuit: break
        }
    }

    /// Records whether the gateway is ready (what `GET /ready` answers), for `genesys_gateway_ready`: the
    /// metrics route calls it before each exposition, so the gauge is as fresh as the scrape.
    public func recordReadiness(_ isReady: Bool) {
        let gauge = ready.withLock { gauge in
            if let gauge { return gauge }
            let made = prometheus.makeGauge(descriptor: GatewayMetricFamilies.ready)
            gauge = made
            return made
        }
        gauge.set(isReady ? 1.0 : 0.0)
    }

    /// Counts a reload of the API listeners' TLS certificate: `succeeded` false when the files were refused.
    public func recordCertificateReload(succeeded: Bool) {
        certificateSeries().reloaded(succeeded: succeeded)
    }

    /// The not-after of the certificate the API listeners serve now, seconds since 1970.
    public func recordServingCertificate(expiresAt secondsSince1970: Int) {
        certificateSeries().serving(expiresAt: secondsSince1970)
    }

    private func certificateSeries() -> TLSCertificateSeries {
        tlsCertificate.withLock { series in
            if let series { return series }
            let made = TLSCertificateSeries(collectors: prometheus)
            series = made
            return made
        }
    }

    /// Reads every org's limiter, breaker and token store and the status store, drops the series of orgs no
    /// longer configured, and returns all series in the Prometheus text format.
    public func exposition() async -> String {
        await scrapes.acquire()
        var readings: [OrgStateReading] = []
        let backlogs = backlog()
        for tenant in tenants().all {
            for org in tenant.orgs.values {
                readings.append(await OrgStateReading.read(org, backlog: backlogs[org.key] ?? OrgBacklog()))
            }
        }
        let current = tenants()
        table.withLock { table in
            for reading in readings where current.tenant(reading.key.tenantID)?.orgs[reading.key.orgName] != nil {
                table.withSeries(reading.key, prometheus) { $0.apply(reading) }
            }
            table.retain(prometheus) { key in Self.labelKey(for: key, in: current) == key }
        }
        tenantService?.update()
        await statusHistory?.update()
        let text = prometheus.emitToString()
        await scrapes.release()
        return text
    }

    /// `type` when the org has a sender for it (so the label values stay bounded by the configuration), else `(unknown)`.
    private func typeLabel(_ type: String?, org: OrgKey) -> String {
        guard let type, tenants().tenant(org.tenantID)?.orgs[org.orgName]?.senders[type] != nil else {
            return GatewayMetricFamilies.unknown
        }
        return type
    }

    private func labelKey(for org: OrgKey) -> OrgKey {
        Self.labelKey(for: org, in: tenants())
    }

    /// `org` if configured; otherwise its tenant with org `(unknown)`, or `(unknown)` for both.
    private static func labelKey(for org: OrgKey, in tenants: TenantRegistry) -> OrgKey {
        let unknown = GatewayMetricFamilies.unknown
        guard let tenant = tenants.tenant(org.tenantID) else { return OrgKey(tenantID: unknown, orgName: unknown) }
        guard tenant.orgs[org.orgName] != nil else { return OrgKey(tenantID: org.tenantID, orgName: unknown) }
        return org
    }

    /// The series made so far, by label key, and the operations seen.
    private struct SeriesTable {
        private var series: [OrgKey: OrgMetricSeries] = [:]
        private var operations: Set<String> = []

        /// Runs `body` on the series for `key`, made first if needed.
        mutating func withSeries<T>(
            _ key: OrgKey, _ collectors: PrometheusCollectorRegistry, _ body: (inout OrgMetricSeries) -> T
        ) -> T {
            var entry = series[key] ?? OrgMetricSeries(key: key, collectors: collectors)
            defer { series[key] = entry }
            return body(&entry)
        }

        /// `operation`, or `(other)` once ``GatewayMetricFamilies/maximumOperations`` others were seen.
        mutating func operationLabel(_ operation: String) -> String {
            if operations.contains(operation) { return operation }
            guard operations.count < GatewayMetricFamilies.maximumOperations else { return GatewayMetricFamilies.otherOperation }
            operations.insert(operation)
            return operation
        }

        /// Unregisters and forgets the series whose key `keep` refuses.
        mutating func retain(_ collectors: PrometheusCollectorRegistry, _ keep: (OrgKey) -> Bool) {
            for (key, entry) in series where !keep(key) {
                entry.unregister(from: collectors)
                series[key] = nil
            }
        }
    }
}
