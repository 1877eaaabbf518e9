extension FixedWidthInteger {
    /// `value` without its fraction (towards zero, as `init(_:)`), clamped to the type's range; NaN is 0.
    ///
    /// `init(_: Double)` traps on NaN, infinities and anything out of range, and such doubles reach the
    /// gateway from outside (a `Retry-After: 1e10`, a crafted timestamp header): one absurd value must
    /// not take every tenant down.
    package init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if let exact = Self(exactly: value.rounded(.towardZero)) {
            self = exact
        } else {
            self = value < 0 ? .min : .max
        }
    }
}
