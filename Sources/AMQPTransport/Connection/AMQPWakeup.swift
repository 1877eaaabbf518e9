import CGatewayShims
import Foundation
import GatewayCore

/// The eventfd that wakes ``AMQPClient``'s thread from its idle sleep, and that sleep: the one owner of the
/// descriptor, closed in `deinit`.
///
/// Any thread may ``signal()``; only the connection thread waits and drains. The descriptor is a plain number
/// set once, which is why the class is `Sendable` as it stands.
final class AMQPWakeup: Sendable {
    /// What ended a ``wait(socket:timeout:)``.
    struct Reason: OptionSet {
        let rawValue: Int32
        /// The socket is readable, or in error (the read that follows reports it).
        static let socket = Reason(rawValue: CGS_WAKEUP_SOCKET)
        static let signalled = Reason(rawValue: CGS_WAKEUP_SIGNALLED)
    }

    private let descriptor: Int32

    /// nil when no eventfd can be made (the process is out of descriptors): the thread then never sleeps.
    init?() {
        let descriptor = cgs_wakeup_open()
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Wakes the thread sleeping in ``wait(socket:timeout:)``, or makes its next wait return at once.
    func signal() {
        cgs_wakeup_signal(descriptor)
    }

    /// Sleeps until `socket` is readable, ``signal()`` is called, or `timeout` has passed (empty reason). A failed
    /// wait counts as the socket's, so that the caller goes on to read it rather than sleeping again at once.
    /// - Parameter timeout: at most a few seconds; rounded up to whole milliseconds, so that the wait does not end
    ///   just before the deadline it was given.
    func wait(socket: Int32, timeout: Duration) -> Reason {
        let milliseconds = Int32(clamping: max(timeout.millisecondsRoundedUp, 0))
        let ready = cgs_wakeup_wait(socket, descriptor, milliseconds)
        return ready < 0 ? .socket : Reason(rawValue: ready)
    }

    /// Makes the eventfd unreadable again after a signal.
    func drain() {
        cgs_wakeup_drain(descriptor)
    }
}
