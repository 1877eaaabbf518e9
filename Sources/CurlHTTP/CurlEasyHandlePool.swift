import CCurl
import Synchronization

/// libcurl easy handles kept between transfers, as libcurl's documentation advises: a new handle per request
/// allocates libcurl's per-handle state and buffers and frees them again. (Under load `malloc`/`free` were a sixth
/// of the libcurl thread's time before and after; what the reuse saves was not measured apart from the
/// multi_socket change it came with — docs/benchmarks.md, "Fourth round".)
///
/// Owns the idle handles (a transfer owns its handle while it runs and gives it back); `curl_easy_reset` before
/// a handle is kept clears every option of the last transfer, while what libcurl keeps across resets (its
/// buffers, the DNS cache) stays. At most `capacity` handles wait here; the rest are freed, so a burst's peak
/// does not stay in memory.
final class CurlEasyHandlePool: Sendable {
    private let idle: Mutex<[EasyHandle]>
    private let capacity: Int

    /// An idle easy handle. Only the pool holds these (under its lock), so passing one between threads is sound.
    private struct EasyHandle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    init(capacity: Int) {
        self.capacity = capacity
        idle = Mutex([])
    }

    deinit {
        idle.withLock { handles in
            for handle in handles { curl_easy_cleanup(handle.pointer) }
        }
    }

    /// An idle handle, or a new one; nil only when libcurl cannot allocate one.
    func take() -> UnsafeMutableRawPointer? {
        idle.withLock { $0.popLast() }?.pointer ?? curl_easy_init()
    }

    /// Takes back a handle no multi handle holds any more.
    func giveBack(_ easy: UnsafeMutableRawPointer) {
        curl_easy_reset(easy)
        let kept = idle.withLock { handles in
            guard handles.count < capacity else { return false }
            handles.append(EasyHandle(pointer: easy))
            return true
        }
        if !kept { curl_easy_cleanup(easy) }
    }
}
