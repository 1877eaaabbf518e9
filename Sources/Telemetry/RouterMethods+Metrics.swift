public import Hummingbird

extension RouterMethods {
    /// Serves `metrics` at `path` (`GET /metrics` by default) in the Prometheus text format.
    ///
    /// - Parameters:
    ///   - metrics: the gateway's metrics; each request reads every org's state afresh.
    ///   - path: where to serve them.
    ///   - readiness: when given, asked before each exposition and exported as `genesys_gateway_ready`, so
    ///     Prometheus sees a lost readiness (RabbitMQ gone, say) without probing `/ready` itself.
    @discardableResult
    public func addMetricsRoute(
        _ metrics: GatewayMetrics, path: RouterPath = "/metrics", readiness: (@Sendable () async -> Bool)? = nil
    ) -> Self {
        get(path) { _, _ -> Response in
            if let readiness { metrics.recordReadiness(await readiness()) }
            let text = await metrics.exposition()
            return Response(
                status: .ok, headers: [.contentType: GatewayMetrics.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
