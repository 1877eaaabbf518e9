import Foundation

/// RFC 3339 date-times as the message contract writes them (`createdAt`, `expiresAt`):
/// `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`, with a day the month has and no leap second — the same rule as
/// the C typing plugin and docs/openapi.yaml, so every sender takes the same times.
///
/// Read by hand: it runs for every message, and a regex literal was the biggest cost on the send path
/// (docs/benchmarks.md). Four year digits bound every value, so no arithmetic here can overflow.
public enum DateTimeText {
    /// The instant `text` names, or nil when it is not such a date-time.
    public static func date(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for index in range {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ index: Int, _ expected: Character) -> Bool {
            index < bytes.count && bytes[index] == expected.asciiValue
        }
        guard let year = number(0..<4), byte(4, "-"), let month = number(5..<7), byte(7, "-"), let day = number(8..<10),
              byte(10, "T"), let hour = number(11..<13), byte(13, ":"), let minute = number(14..<16), byte(16, ":"),
              let second = number(17..<19),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour <= 23, minute <= 59, second <= 59
        else { return nil }
        var index = 19
        var fraction = 0.0
        if byte(index, ".") {
            let start = index + 1
            index = start
            var scale = 0.1
            while index < bytes.count, index - start < 9, let digit = number(index..<(index + 1)) {
                fraction += Double(digit) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offsetSeconds = 0
        if byte(index, "Z") {
            guard index + 1 == bytes.count else { return nil }
        } else {
            guard byte(index, "+") || byte(index, "-"), let zoneHour = number((index + 1)..<(index + 3)), byte(index + 3, ":"),
                  let zoneMinute = number((index + 4)..<(index + 6)), index + 6 == bytes.count, zoneHour <= 23, zoneMinute <= 59
            else { return nil }
            offsetSeconds = (byte(index, "-") ? -1 : 1) * (zoneHour * 3600 + zoneMinute * 60)
        }
        let days = daysSince1970(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Days from 1970-01-01 to the given day of the proleptic Gregorian calendar (H. Hinnant's `days_from_civil`).
    private static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}
