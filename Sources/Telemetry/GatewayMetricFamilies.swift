import OrgServices
import Prometheus

/// The names, help texts and label names of every metric family the gateway itself exposes.
///
/// Computed rather than stored because `MetricNameDescriptor` is not `Sendable`. docs/metrics.md lists the
/// same families for operators; keep the two together.
enum GatewayMetricFamilies {
    static let namespace = "genesys_gateway"

    /// Label names of the per-org series.
    static let tenantLabel = "tenant"
    static let orgLabel = "org"
    static let operationLabel = "operation"
    static let codeLabel = "code"
    static let secretLabel = "secret"
    static let typeLabel = "type"
    /// `code` of a Genesys call that got no answer (connect failure, timeout).
    static let noAnswerCode = "none"

    /// Label value standing in for a tenant or org the configuration does not know (a message naming a
    /// tenant that does not exist, say): such names never become label values, so the label count stays
    /// bounded by the configuration. Parentheses cannot occur in tenant ids or org names.
    static let unknown = "(unknown)"
    /// Label value standing in for operations past ``maximumOperations``.
    static let otherOperation = "(other)"
    /// Distinct `operation` label values kept; the call path uses a small fixed set, this only guards it.
    static let maximumOperations = 16

    // MARK: Counters fed by Genesys calls and status events

    static var sent: MetricNameDescriptor {
        counter("messages_sent", "Messages Genesys accepted (HTTP 2xx to a message send), queued or sent through the API.")
    }
    static var failed: MetricNameDescriptor {
        counter(
            "messages_failed",
            "Message sends Genesys refused or did not answer (non-2xx or no response); each try counts.")
    }
    static var possibleDuplicates: MetricNameDescriptor {
        counter(
            "messages_possible_duplicates",
            "Messages sent again after a crash cut their earlier send short (Genesys may have two copies).")
    }
    static var retried: MetricNameDescriptor {
        counter("messages_retried", "Queued messages retried after a failed send (waiting in the gateway or in a retry tier).")
    }
    static var deadLettered: MetricNameDescriptor {
        counter("messages_dead_lettered", "Queued messages moved to the dead-letter queue.")
    }
    static var publisherRefusals: MetricNameDescriptor {
        counter(
            "messages_publisher_refused",
            "Queued messages dead-lettered because their tenant does not take their publisher (its publishers list; the AMQP user_id).")
    }
    static var parked: MetricNameDescriptor {
        counter("messages_parked", "Queued messages parked because their tenant or message type is switched off.")
    }
    static var expired: MetricNameDescriptor {
        counter(
            "messages_expired",
            "Queued messages not sent because they expired (their expiresAt, or the org's expiry for their type), by message type.")
    }
    static var webhookSignatures: MetricNameDescriptor {
        counter(
            "webhook_signatures",
            "Webhook calls accepted, by the org's secret that signed them (secret=\"1\": the first listed, \"2\": the second, during a rotation).")
    }
    static var throttled: MetricNameDescriptor {
        counter("genesys_throttled", "Genesys answers with HTTP 429, any operation.")
    }
    static var errors: MetricNameDescriptor {
        counter(
            "genesys_errors",
            "Genesys calls, any operation, answered with a non-2xx HTTP status (code) or not answered (code=\"none\").")
    }
    static var latency: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: namespace, metricName: "genesys_request_duration", unitName: "seconds",
            helpText: "Time from sending a request to Genesys to the last byte of its answer, by operation.")
    }

    // MARK: Read from each org's state when scraped

    static var ready: MetricNameDescriptor {
        gauge("ready", "1 while GET /ready would answer 200 (RabbitMQ connected, tenants loaded, state writable), else 0; read at scrape.")
    }

    static var tokenRenewals: MetricNameDescriptor {
        counter("token_renewals", "OAuth token requests made for the org.")
    }
    static var breakerTrips: MetricNameDescriptor {
        counter("circuit_breaker_trips", "Times the org's circuit breaker opened.")
    }
    static var breakerState: MetricNameDescriptor {
        gauge("circuit_breaker_state", "The org's circuit breaker: 0 closed, 1 half-open, 2 open.")
    }
    static var limiterRate: MetricNameDescriptor {
        gauge("rate_limiter_rate", "Messages per second the org's rate limiter allows now (lower for a while after a 429).")
    }
    static var limiterConfiguredRate: MetricNameDescriptor {
        gauge("rate_limiter_configured_rate", "Messages per second from the org's configuration.")
    }
    static var limiterQueued: MetricNameDescriptor {
        gauge("rate_limiter_queued", "Sends waiting for a slot in the org's rate limiter.")
    }
    static var queueWaiting: MetricNameDescriptor {
        gauge("org_queue_waiting", "Messages ready in the org's own queue in RabbitMQ (its backlog), as last read.")
    }
    static var queueInGateway: MetricNameDescriptor {
        gauge("org_queue_in_gateway", "The org's messages taken into the gateway and not yet settled (at most its prefetch).")
    }
    static var limiterPaused: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: namespace, metricName: "rate_limiter_paused", unitName: "seconds",
            helpText: "How much longer the org is paused by a Genesys Retry-After; 0 when not paused.")
    }

    // MARK: The status store, read when scraped

    static var statusHistoryMessages: MetricNameDescriptor {
        gauge(
            "status_history_messages",
            "Messages whose status history this process holds in memory for GET /v1/messages/{id} (at most --status-history-max-messages).")
    }
    static var statusHistoryBytes: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: namespace, metricName: "status_history", unitName: "bytes",
            helpText: "Bytes of status history this process holds in memory, estimated: each event's JSON plus what holding it costs (at most --status-history-max-bytes).")
    }

    // MARK: The tenant service, read from its health when scraped

    static let resultLabel = "result"

    static var tenantServiceFetches: MetricNameDescriptor {
        counter(
            "tenant_service_fetches",
            "Fetches of the tenant service's document by result: ok (new document), not_modified (304), failed (no answer or an unexpected status), invalid (not a tenant service document).")
    }
    static var tenantServiceUp: MetricNameDescriptor {
        gauge("tenant_service_up", "1 while the last fetch of the tenant service's document succeeded (ok or not_modified), else 0.")
    }
    static var tenantServiceLastSuccessAge: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: namespace, metricName: "tenant_service_last_success_age", unitName: "seconds",
            helpText: "Seconds since the last successful fetch of the tenant service's document (since start when none succeeded yet).")
    }

    // MARK: The API listeners' TLS certificate (run --tls-cert-file)

    static var tlsCertificateReloads: MetricNameDescriptor {
        counter(
            "tls_certificate_reloads",
            "Reloads of the API listeners' TLS certificate (SIGHUP or changed files) by result: ok (served from then on), failed (refused; the previous certificate stays).")
    }
    static var tlsCertificateExpiry: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: namespace, metricName: "tls_certificate_expiry_timestamp", unitName: "seconds",
            helpText: "Not-after of the TLS certificate the API listeners serve, in seconds since 1970 (UTC).")
    }

    /// Genesys request latency buckets: loopback calls take milliseconds, the request timeout is tens of seconds.
    static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]

    /// The `code` label of a Genesys answer: its HTTP status (bounded: three digits), or ``noAnswerCode``.
    static func code(of status: Int?) -> String {
        guard let status else { return noAnswerCode }
        return (100...599).contains(status) ? String(status) : "other"
    }

    /// The breaker state as a gauge value.
    static func value(of state: CircuitState) -> Double {
        switch state {
        case .closed: 0
        case .halfOpen: 1
        case .open: 2
        }
    }

    private static func counter(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: namespace, metricName: name, unitName: "total", helpText: help)
    }

    private static func gauge(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: namespace, metricName: name, unitName: "", helpText: help)
    }
}
