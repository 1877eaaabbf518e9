import GatewayCore
import OrgServices
import QueuePipeline
/// One org's limiter, breaker and token store as read when metrics are scraped.
///
/// These are read rather than counted on the call path: the state lives in each org's actors already,
/// and a scrape every few seconds costs less than a metric update on every send.
struct OrgStateReading {
    var key: OrgKey
    var limiter: RateLimiterSnapshot
    var breaker: CircuitSnapshot
    /// Which breaker `breaker` came from (a reload may replace an org's breaker).
    var breakerIdentity: ObjectIdentifier
    /// Token requests so far, when the org's token provider counts them.
    var tokenRenewals: SourcedCount?
    /// Its messages waiting in its queue and in the gateway.
    var backlog: OrgBacklog

    static func read(_ org: OrgRuntime, backlog: OrgBacklog) async -> OrgStateReading {
        var renewals: SourcedCount?
        if let counting = org.tokens as? any TokenRenewalCounting {
            renewals = SourcedCount(source: ObjectIdentifier(counting), count: await counting.renewals)
        }
        return OrgStateReading(
            key: org.key, limiter: await org.limiter.snapshot(), breaker: await org.breaker.snapshot(),
            breakerIdentity: ObjectIdentifier(org.breaker), tokenRenewals: renewals, backlog: backlog)
    }
}
