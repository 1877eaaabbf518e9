import CCurl
import CGatewayShims
import Foundation
import GatewayCore
import Synchronization

/// The one thread that drives every transfer through a libcurl multi handle.
///
/// Owns the `CURLM` handle and its epoll set (`cgs_curl_events`); only this thread calls into them, except the
/// wakeup, an eventfd write. Callers hand transfers over through a locked inbox and wake the loop. The loop
/// hands libcurl only the sockets epoll reports ready (`curl_multi_socket_action`): `curl_multi_perform` walked
/// every transfer in flight and polled each one's socket at every wakeup, about ten `poll` calls per request
/// under load (docs/benchmarks.md, "Fourth round"). The multi handle's connection cache gives keep-alive reuse
/// per host, and multiplexing lets HTTP/2 hosts carry many requests on one connection.
final class CurlMultiLoop: @unchecked Sendable {
    // `multi` is used by the loop thread only (plus the thread-safe wakeup); `inbox` is the shared state.
    private let multi: UnsafeMutableRawPointer
    private let events: UnsafeMutablePointer<cgs_curl_events>
    /// Why the loop could not start (no epoll set or eventfd: the process is out of descriptors), if it could not.
    let startFailure: String?
    private let inbox = Mutex(Inbox())
    private var active: [Int: CurlTransfer] = [:]

    private struct Inbox {
        var submitted: [CurlTransfer] = []
        var cancelled: [CurlTransfer] = []
        var shuttingDown = false
        var running = true
        /// Callers of ``shutdown()`` waiting for the loop to stop; kept under the same lock as `running`, so none is
        /// stored after the loop has looked for them.
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        /// A wakeup is written and the loop has not yet emptied the inbox: one wakeup serves every hand-over till then.
        var wakePending = false

        /// Whether the caller must write the wakeup (none is pending yet); marks one pending.
        mutating func needsWake() -> Bool {
            defer { wakePending = true }
            return !wakePending
        }
    }

    struct Settings: Sendable {
        /// Connections kept open per host (HTTP/1.1 needs one per concurrent request).
        var maxConnectionsPerHost = 64
        /// Idle connections the cache keeps across all hosts.
        var maxCachedConnections = 256
    }

    init(settings: Settings) {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        multi = curl_multi_init()
        _ = cgs_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, settings.maxConnectionsPerHost)
        _ = cgs_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, settings.maxCachedConnections)
        _ = cgs_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX)
        events = .allocate(capacity: 1)
        events.initialize(to: cgs_curl_events(epoll_fd: -1, wake_fd: -1, deadline_ms: -1))
        let error = cgs_curl_events_open(multi, events)
        guard error == 0 else {
            startFailure = "the HTTP client's event loop could not start: \(String(cString: strerror(error)))"
            inbox.withLock { inbox in
                inbox.shuttingDown = true
                inbox.running = false
            }
            return
        }
        startFailure = nil
        let thread = Thread { [self] in
            cgs_set_current_thread_name("curl-multi")
            self.run()
        }
        thread.start()
    }

    deinit {
        // The cleanup tells the socket callback to forget its sockets, so the epoll set is closed after it.
        curl_multi_cleanup(multi)
        cgs_curl_events_close(events)
        events.deallocate()
    }

    /// Hands a transfer to the loop. False once the loop is shutting down.
    func submit(_ transfer: CurlTransfer) -> Bool {
        let (accepted, wake) = inbox.withLock { inbox -> (Bool, Bool) in
            guard !inbox.shuttingDown else { return (false, false) }
            inbox.submitted.append(transfer)
            return (true, inbox.needsWake())
        }
        if wake { cgs_curl_events_wake(events) }
        return accepted
    }

    /// Abandons a transfer; its caller gets `CancellationError`. A transfer not yet handed over is marked, so the
    /// loop drops it when it arrives.
    func cancel(_ transfer: CurlTransfer) {
        transfer.markCancelled()
        let wake = inbox.withLock { inbox -> Bool in
            guard !inbox.shuttingDown else { return false }
            inbox.cancelled.append(transfer)
            return inbox.needsWake()
        }
        if wake { cgs_curl_events_wake(events) }
    }

    /// Fails what is in flight with `CancellationError` and stops the thread; returns when it has stopped.
    func shutdown() async {
        await withCheckedContinuation { continuation in
            let alreadyStopped = inbox.withLock { inbox -> Bool in
                inbox.shuttingDown = true
                if inbox.running { inbox.stopWaiters.append(continuation) }
                return !inbox.running
            }
            if alreadyStopped {
                continuation.resume()
            } else {
                cgs_curl_events_wake(events)
            }
        }
    }

    private func run() {
        while true {
            let (submitted, cancelled, shuttingDown) = inbox.withLock { inbox in
                defer { inbox.submitted = []; inbox.cancelled = []; inbox.wakePending = false }
                return (inbox.submitted, inbox.cancelled, inbox.shuttingDown)
            }
            for transfer in submitted {
                if transfer.isCancelled {
                    transfer.fail(CancellationError())
                    continue
                }
                let added = curl_multi_add_handle(multi, transfer.easy)
                guard added == CURLM_OK else {
                    transfer.fail(TransportError(
                        kind: .other, message: "libcurl refused the transfer: \(String(cString: curl_multi_strerror(added)))", url: transfer.url))
                    continue
                }
                active[transfer.id] = transfer
            }
            for transfer in cancelled where active.removeValue(forKey: transfer.id) != nil {
                curl_multi_remove_handle(multi, transfer.easy)
                transfer.fail(CancellationError())
            }
            if shuttingDown {
                finishAll()
                return
            }
            _ = cgs_curl_events_run_once(multi, events, 1000)
            collectFinished()
        }
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let result = message.pointee.data.result
            var context: UnsafeMutableRawPointer?
            _ = cgs_curl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &context)
            curl_multi_remove_handle(multi, easy)
            guard let context else { continue }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            active.removeValue(forKey: transfer.id)
            transfer.complete(result: result)
        }
    }

    private func finishAll() {
        for transfer in active.values {
            curl_multi_remove_handle(multi, transfer.easy)
            transfer.fail(CancellationError())
        }
        active = [:]
        let (late, waiters) = inbox.withLock { inbox in
            inbox.running = false
            defer { inbox.submitted = []; inbox.cancelled = []; inbox.stopWaiters = [] }
            return (inbox.submitted, inbox.stopWaiters)
        }
        late.forEach { $0.fail(CancellationError()) }
        waiters.forEach { $0.resume() }
    }
}
