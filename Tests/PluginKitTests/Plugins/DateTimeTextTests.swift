import Foundation
import PluginKit
import Testing

/// The one RFC 3339 reader behind `createdAt` checks and `expiresAt`: exact instants, and nothing outside the
/// contract's form (nor any extreme within it) makes it trap.
@Suite struct DateTimeTextTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0),
        ("2026-11-25T10:00:05Z", 1_795_600_805.0),
        ("2026-11-25T11:00:05+01:00", 1_795_600_805.0),
        ("2026-11-25T09:30:05-00:30", 1_795_600_805.0),
        ("2026-11-25T10:00:05.250Z", 1_795_600_805.25),
        ("2024-02-29T00:00:00Z", 1_709_164_800.0),
        ("1969-12-31T23:59:59Z", -1.0),
    ])
    func readsTheInstant(text: String, seconds: Double) throws {
        let date = try #require(DateTimeText.date(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_001, "\(text): \(date.timeIntervalSince1970)")
    }

    @Test func theFarEndsOfFourYearDigitsAreReadWithoutTrapping() throws {
        let first = try #require(DateTimeText.date("0000-01-01T00:00:00Z"))
        let last = try #require(DateTimeText.date("9999-12-31T23:59:59.999999999-23:59"))
        #expect(first.timeIntervalSince1970 == -62_167_219_200)
        #expect(last.timeIntervalSince1970 > 253_402_300_799)
    }

    @Test(arguments: [
        "", "soon", "2026-11-25", "2026-11-25T10:00:05", "2026-02-29T10:00:05Z", "2026-11-25T24:00:00Z",
        "2026-11-25T10:00:05.Z", "2026-11-25T10:00:05.1234567891Z", "2026-11-25T10:00:05+1:00", "2026-11-25T10:00:05Zjunk",
        "+2026-11-25T10:00:05Z", "2026-11-25T10:00:60Z",
    ])
    func refusesAnythingElse(text: String) {
        #expect(DateTimeText.date(text) == nil)
    }
}
