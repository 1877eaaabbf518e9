import OrgServices
import Prometheus

/// What the status store holds (the messages whose story `GET /v1/messages/{id}` can still tell, and their bytes
/// as `--status-history-max-bytes` counts them), read from it at scrape time.
struct StatusHistorySeries: Sendable {
    private let store: MessageStatusStore
    private let messages: Gauge
    private let bytes: Gauge

    init(store: MessageStatusStore, collectors: PrometheusCollectorRegistry) {
        self.store = store
        messages = collectors.makeGauge(descriptor: GatewayMetricFamilies.statusHistoryMessages)
        bytes = collectors.makeGauge(descriptor: GatewayMetricFamilies.statusHistoryBytes)
    }

    func update() async {
        let holding = await store.holding()
        messages.set(Int64(holding.messages))
        bytes.set(Int64(holding.bytes))
    }
}
