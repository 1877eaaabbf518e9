import Foundation

/// Reads an HTTP `Retry-After` value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
///
/// The value comes from Genesys, its login host or any proxy in between, so it is bounded rather than
/// trusted: a delay is at least zero and at most ``longest`` (callers cap it further); anything else that is
/// not a number or a date is ignored.
enum RetryAfter {
    /// The longest delay a header can ask for, in seconds (a day).
    static let longest = 86_400.0

    /// The delay `value` asks for, as seen at `now`; nil when it is neither a number nor an HTTP-date.
    static func delay(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        let seconds: Double
        if let number = Double(text) {
            guard !number.isNaN else { return nil }
            seconds = number
        } else if let date = httpDate(text) {
            seconds = date.timeIntervalSince(now)
        } else {
            return nil
        }
        return .fractionalSeconds(min(max(seconds, 0), longest))
    }

    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110 has senders use. A formatter per call:
    /// dates are rare here (Genesys sends seconds), and a shared formatter would need a lock.
    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
