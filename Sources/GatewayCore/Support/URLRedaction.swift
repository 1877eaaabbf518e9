import Foundation
/// URLs as they may appear in output and logs: the password of the user info replaced by `***`.
///
/// The AMQP URL carries the broker password (`amqp://user:secret@host/vhost`), and a command that fails
/// says which broker it could not reach; the password must never be in that message or in a log.
package enum URLRedaction {
    static let mask = "***"

    /// `url` with what lies between the user name's `:` and the user info's `@` masked. Errs on the side of
    /// hiding: when the host part holds no `@` but the rest does (a raw `/` in a password, which the broker
    /// client would refuse and an error message would then quote), everything up to that `@` is masked.
    package static func hidingPassword(in url: String) -> String {
        let start = url.range(of: "://")?.upperBound ?? url.startIndex
        let authorityEnd = url[start...].firstIndex { "/?#".contains($0) } ?? url.endIndex
        guard let at = url[start..<authorityEnd].lastIndex(of: "@") ?? url[start...].lastIndex(of: "@"),
              let colon = url[start..<at].firstIndex(of: ":")
        else { return url }
        return String(url[...colon]) + mask + String(url[at...])
    }
}
