import GatewayTestSupport
import Testing

/// The strict exposition reader the metrics tests rely on: it must refuse what Prometheus would refuse, or
/// "the exposition parses" proves nothing.
@Suite struct PrometheusExpositionTests {
    @Test func readsCountersHistogramsAndEscapedLabels() throws {
        let text = """
            # HELP requests_total Requests.
            # TYPE requests_total counter
            requests_total{tenant="acme",org="a \\"quoted\\" \\\\ name"} 3
            # TYPE latency_seconds histogram
            latency_seconds_bucket{le="0.5"} 1
            latency_seconds_bucket{le="+Inf"} 2
            latency_seconds_sum 0.75
            latency_seconds_count 2

            """
        let exposition = try PrometheusExposition(parsing: text)
        #expect(exposition.value("requests_total", ["tenant": "acme", "org": #"a "quoted" \ name"#]) == 3)
        #expect(exposition.value("latency_seconds_bucket", ["le": "+Inf"]) == 2)
        #expect(exposition.value("latency_seconds_count") == 2)
        #expect(exposition.help["requests_total"] == "Requests.")
    }

    @Test(arguments: [
        "requests_total 1",  // no TYPE line
        "# TYPE requests_total counter\nrequests_total{tenant=\"acme\"} many",
        "# TYPE requests_total counter\nrequests_total{tenant=\"acme} 1",
        "# TYPE requests_total counter\nrequests_total{tenant=\"a\\qb\"} 1",
        "# TYPE requests_total counter\nrequests_total{tenant=\"a\",tenant=\"b\"} 1",
        "# TYPE requests_total counter\n# TYPE requests_total gauge",
        "# TYPE requests_total counter\nrequests_total_bucket{le=\"1\"} 1",
    ])
    func refusesMalformedText(_ text: String) {
        #expect(throws: PrometheusExposition.ParseError.self) { try PrometheusExposition(parsing: text) }
    }
}
