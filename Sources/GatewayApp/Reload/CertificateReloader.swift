#if canImport(Glibc)
import Glibc
#endif
public import GatewayCore
public import HTTPAPI
public import Logging
public import ServiceLifecycle
import UnixSignals

/// Reads the TLS listener's certificate and key again when they are renewed (cert-manager, certbot, by hand), so
/// that new connections get the new certificate without a restart and without closing the listening sockets:
/// on SIGHUP, and when a poll every `pollInterval` sees either file changed (``CertificateFilesFingerprint``).
///
/// SIGHUP also reloads the tenant configs (``ConfigReloader``): each of the two traps it with its own
/// `UnixSignalsSequence`, and Dispatch hands a signal to every source registered for it, so one `kill -HUP`
/// reloads both and neither knows of the other.
///
/// A replacement that cannot be served — unreadable, not PEM, a key that is not the certificate's, already
/// expired — is refused: the certificate in force stays, an error is logged, and ``Outcome`` tells the metrics. A
/// poll reads a change only once it has held still for one interval (a renewal tool writing the certificate and
/// then the key is not caught between the two), and reads the same refused files only once.
public actor CertificateReloader: Service {
    public enum Trigger: String, Sendable {
        case signal
        case fileChange = "file_change"
    }

    /// One reload: the certificate now served, or why the files were refused.
    public struct Outcome: Sendable {
        public var trigger: Trigger
        public var result: Result<ServingCertificate, ServingCertificateError>
    }

    private let files: CertificateFiles
    private let store: ServingCertificateStore
    private let clock: any MonotonicClock
    private let pollInterval: Duration?
    private let wallClock: @Sendable () -> Int
    private let logger: Logger
    private let onReload: @Sendable (Outcome) -> Void
    /// The files as the last read found them, served or refused: the poll reads only what differs.
    private var lastRead: CertificateFilesFingerprint
    /// The files as the previous poll found them: a change is read once it is the same at two polls.
    private var previousPoll: CertificateFilesFingerprint

    /// - Parameters:
    ///   - files: where the certificate and key are.
    ///   - store: what the listeners serve; holds the certificate read at start.
    ///   - clock: paces the poll.
    ///   - pollInterval: how often the files are looked at; nil reloads on SIGHUP only.
    ///   - wallClock: seconds since 1970, to refuse an expired replacement; the system's by default.
    ///   - onReload: told of every reload, after it is in force (metrics, tests).
    public init(
        files: CertificateFiles, store: ServingCertificateStore, clock: any MonotonicClock = SystemClock(),
        pollInterval: Duration? = .seconds(5), wallClock: (@Sendable () -> Int)? = nil, logger: Logger,
        onReload: @escaping @Sendable (Outcome) -> Void = { _ in }
    ) {
        self.files = files
        self.store = store
        self.clock = clock
        self.pollInterval = pollInterval
        self.wallClock = wallClock ?? { Int(time(nil)) }
        self.logger = logger
        self.onReload = onReload
        lastRead = store.certificate.readFrom
        previousPoll = lastRead
    }

    /// Reloads on SIGHUP and on file changes until cancelled or a graceful shutdown.
    public nonisolated func run() async throws {
        // Trapped before anything is logged, so a SIGHUP sent after "watching" reloads instead of ending the process.
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await announce()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in signals { await self.reload(trigger: .signal) }
                }
                if let interval = self.pollInterval {
                    group.addTask { await self.pollUntilCancelled(every: interval) }
                }
            }
        }
    }

    /// Reads both files and serves them if they are good; otherwise keeps what is served.
    @discardableResult
    public func reload(trigger: Trigger) -> Outcome {
        // Taken before reading: a change made while reading is seen by the next poll.
        lastRead = files.fingerprint()
        previousPoll = lastRead
        let previous = store.certificate
        let result: Result<ServingCertificate, ServingCertificateError>
        do throws(ServingCertificateError) {
            let certificate = try ServingCertificate.read(files)
            guard !certificate.isExpired(at: wallClock()) else { throw ServingCertificateError.expired(certificate, files: files) }
            store.replace(with: certificate)
            result = .success(certificate)
            logger.info(
                certificate.serialNumber == previous.serialNumber && certificate.subject == previous.subject
                    ? "TLS certificate read again; unchanged" : "TLS certificate reloaded; new connections get it",
                metadata: Self.metadata(of: certificate).merging([
                    "tls.reload.trigger": "\(trigger.rawValue)", "tls.previous.serial": "\(previous.serialNumber)",
                ]) { $1 })
        } catch {
            result = .failure(error)
            logger.error(
                "TLS certificate reload refused; the certificate in force stays",
                metadata: Self.metadata(of: previous).merging([
                    "tls.reload.trigger": "\(trigger.rawValue)", "error": "\(error)",
                ]) { $1 })
        }
        let outcome = Outcome(trigger: trigger, result: result)
        onReload(outcome)
        return outcome
    }

    /// Reloads if the files changed since the last read and have not changed since the previous poll; nil when
    /// nothing was read.
    @discardableResult
    func pollOnce() -> Outcome? {
        let now = files.fingerprint()
        let settled = now == previousPoll
        previousPoll = now
        guard now != lastRead, settled else { return nil }
        return reload(trigger: .fileChange)
    }

    private nonisolated func pollUntilCancelled(every interval: Duration) async {
        while true {
            do {
                try await clock.sleep(for: interval)
            } catch {
                return  // cancelled
            }
            await pollOnce()
        }
    }

    private func announce() {
        let certificate = store.certificate
        logger.info(
            "watching the TLS certificate files (SIGHUP reloads them)",
            metadata: Self.metadata(of: certificate).merging([
                "tls.cert_file": "\(files.certificatePath)", "tls.key_file": "\(files.keyPath)",
                "tls.poll_interval": "\(pollInterval.map { "\($0)" } ?? "off")",
            ]) { $1 })
        if certificate.isExpired(at: wallClock()) {
            // Served all the same: refusing to start would stop the queue work too, for a listener clients refuse anyway.
            logger.error("the TLS certificate served has expired: clients will refuse it", metadata: Self.metadata(of: certificate))
        }
    }

    private static func metadata(of certificate: ServingCertificate) -> Logger.Metadata {
        [
            "tls.subject": "\(certificate.subject)", "tls.serial": "\(certificate.serialNumber)",
            "tls.not_after": "\(certificate.notValidAfterText)",
        ]
    }
}
