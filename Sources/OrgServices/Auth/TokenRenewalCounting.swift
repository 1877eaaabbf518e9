/// A token provider that counts the token requests it made, for the `token_renewals` metric.
///
/// Separate from ``TokenProviding`` so providers that cannot count (test doubles, say) need not pretend to.
public protocol TokenRenewalCounting: AnyObject, Sendable {
    /// Token requests made so far.
    var renewals: Int { get async }
}

extension OAuthTokenStore: TokenRenewalCounting {}
