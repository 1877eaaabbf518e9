import CCurl
import CGatewayShims
import Foundation
import Synchronization

/// The one thread that drives every transfer through a libcurl multi handle.
///
/// Owns the `CURLM` handle; only this thread calls into it, except `curl_multi_wakeup`, which libcurl
/// documents as callable from any thread. Callers hand transfers over through a locked inbox and wake the
/// loop. The multi handle's connection cache gives keep-alive reuse per host, and multiplexing lets HTTP/2
/// hosts carry many requests on one connection.
final class CurlMultiLoop: @unchecked Sendable {
    // `multi` is used by the loop thread only (plus the thread-safe wakeup); `inbox` is the shared state.
    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    private let stopped = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private var active: [Int: CurlTransfer] = [:]

    private struct Inbox {
        var submitted: [CurlTransfer] = []
        var cancelled: [Int] = []
        var shuttingDown = false
        var running = true
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
        let thread = Thread { [self] in
            cgs_set_current_thread_name("curl-multi")
            self.run()
        }
        thread.start()
    }

    deinit {
        curl_multi_cleanup(multi)
    }

    /// Hands a transfer to the loop. False once the loop is shutting down.
    func submit(_ transfer: CurlTransfer) -> Bool {
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.shuttingDown else { return false }
            inbox.submitted.append(transfer)
            return true
        }
        if accepted { curl_multi_wakeup(multi) }
        return accepted
    }

    /// Abandons a transfer; its caller gets `CancellationError`.
    func cancel(id: Int) {
        inbox.withLock { $0.cancelled.append(id) }
        curl_multi_wakeup(multi)
    }

    /// Fails what is in flight with `CancellationError` and stops the thread; returns when it has stopped.
    func shutdown() async {
        await withCheckedContinuation { continuation in
            let alreadyStopped = inbox.withLock { inbox -> Bool in
                inbox.shuttingDown = true
                return !inbox.running
            }
            if alreadyStopped {
                continuation.resume()
            } else {
                stopped.withLock { $0 = continuation }
                curl_multi_wakeup(multi)
            }
        }
    }

    private func run() {
        var stillRunning: Int32 = 0
        while true {
            let (submitted, cancelled, shuttingDown) = inbox.withLock { inbox in
                defer { inbox.submitted = []; inbox.cancelled = [] }
                return (inbox.submitted, inbox.cancelled, inbox.shuttingDown)
            }
            for transfer in submitted {
                active[transfer.id] = transfer
                curl_multi_add_handle(multi, transfer.easy)
            }
            for id in cancelled {
                guard let transfer = active.removeValue(forKey: id) else { continue }
                curl_multi_remove_handle(multi, transfer.easy)
                transfer.fail(CancellationError())
            }
            if shuttingDown {
                finishAll()
                return
            }
            curl_multi_perform(multi, &stillRunning)
            collectFinished()
            curl_multi_poll(multi, nil, 0, 1000, nil)
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
        let late = inbox.withLock { inbox -> [CurlTransfer] in
            inbox.running = false
            defer { inbox.submitted = [] }
            return inbox.submitted
        }
        late.forEach { $0.fail(CancellationError()) }
        stopped.withLock { continuation in
            continuation?.resume()
            continuation = nil
        }
    }
}
