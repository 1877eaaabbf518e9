import GatewayYAML
/// Comparing configs by what they say, not where they say it.
///
/// A reload must not rebuild an org because a comment line moved its keys down the file: source marks
/// (line/column) and the file path are left out of these comparisons.
extension TenantConfig {
    /// True when both configs set the same values, wherever in which file they were written.
    public func hasSameSettings(as other: TenantConfig) -> Bool {
        withoutSource == other.withoutSource
    }

    private var withoutSource: TenantConfig {
        var copy = self
        copy.source = ConfigSource(path: "")
        copy.orgs = orgs.map(\.withoutSource)
        return copy
    }
}

extension OrgConfig {
    /// True when both orgs set the same values, wherever in their file they were written.
    public func hasSameSettings(as other: OrgConfig) -> Bool {
        withoutSource == other.withoutSource
    }

    fileprivate var withoutSource: OrgConfig {
        let nowhere = SourceMark(line: 0, column: 0)
        var copy = self
        copy.messageTypes = messageTypes.map { Located($0.value, at: nowhere) }
        copy.errorPolicy = Located(errorPolicy.value, at: nowhere)
        copy.expiry.namedTypes = expiry.namedTypes.map { Located($0.value, at: nowhere) }
        copy.mark = nil
        return copy
    }
}
