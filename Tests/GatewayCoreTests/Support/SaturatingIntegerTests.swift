import Testing


@Suite struct SaturatingIntegerTests {
    @Test func dropsTheFractionLikeTheTrappingConversion() {
        #expect(Int64(saturating: 2.9) == 2)
        #expect(Int64(saturating: -2.9) == -2)
        #expect(Int64(saturating: 0) == 0)
        #expect(Int64(saturating: 1_700_000_000_123.9) == 1_700_000_000_123)
    }

    @Test func nanIsZeroAndEverythingOutOfRangeSaturates() {
        #expect(Int64(saturating: .nan) == 0)
        #expect(Int64(saturating: .infinity) == .max)
        #expect(Int64(saturating: -.infinity) == .min)
        #expect(Int64(saturating: 0x1p63) == .max)  // Double(Int64.max) rounds up to 2^63, one past the range
        #expect(Int64(saturating: -0x1p63) == .min)  // exactly Int64.min
        #expect(Int64(saturating: -1e300) == .min)
        #expect(Int32(saturating: 1e10) == .max)
        #expect(UInt32(saturating: -1) == 0)
    }
}
