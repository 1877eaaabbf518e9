import Hummingbird

extension RouterMethods {
    /// Serves `metrics` at `path` (`GET /metrics` by default) in the Prometheus text format.
    ///
    /// - Parameters:
    ///   - metrics: the gateway's metrics; each request reads every org's state afresh.
    ///   - path: where to serve them.
    @discardableResult
    public func addMetricsRoute(_ metrics: GatewayMetrics, path: RouterPath = "/metrics") -> Self {
        get(path) { _, _ -> Response in
            let text = await metrics.exposition()
            return Response(
                status: .ok, headers: [.contentType: GatewayMetrics.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
