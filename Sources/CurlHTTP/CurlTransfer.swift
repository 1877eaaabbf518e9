import CCurl
import CGatewayShims
import Foundation
import GatewayCore
import Synchronization

/// One request in flight: owns its easy handle (taken from and given back to the client's pool), header list
/// and error buffer, and collects the response.
///
/// Created on the caller's task, then touched only by the event-loop thread until it resumes the
/// continuation — which is why sharing it across threads is sound.
final class CurlTransfer: @unchecked Sendable {
    let id: Int
    let url: String
    let easy: UnsafeMutableRawPointer
    /// The CAs, client certificate and proxy this transfer uses (the client's, with the request's over them).
    let transport: HTTPTransportSettings
    private let handles: CurlEasyHandlePool
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var responseBody: [UInt8] = []
    private var responseHeaders: [String: String] = [:]
    /// The request's ``HTTPRequest/maxResponseBytes``.
    private let maxResponseBytes: Int
    /// The body ran past `maxResponseBytes`: the body callback refused the rest, so libcurl ended the transfer.
    private var bodyTooLarge = false
    private var continuation: CheckedContinuation<HTTPResponse, any Error>?
    /// Set by the caller's cancellation (any thread), read by the loop when the transfer arrives.
    private let cancelRequested = Atomic<Bool>(false)

    /// - Parameter transport: the TLS and proxy settings to apply, already merged (``HTTPTransportSettings/overridden(by:)``).
    /// - Throws: ``TransportError`` when libcurl refuses an option (an unsupported URL scheme, say).
    init(id: Int, request: HTTPRequest, transport: HTTPTransportSettings, handles: CurlEasyHandlePool) throws {
        guard let easy = handles.take() else {
            throw TransportError(kind: .other, message: "curl_easy_init failed", url: request.url)
        }
        self.id = id
        maxResponseBytes = max(0, request.maxResponseBytes)
        self.url = request.url
        self.easy = easy
        self.transport = transport
        self.handles = handles
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try configure(request)
    }

    deinit {
        // The handle goes back first: reset clears its pointers to the header list and error buffer.
        handles.giveBack(easy)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    func markCancelled() {
        cancelRequested.store(true, ordering: .releasing)
    }

    var isCancelled: Bool { cancelRequested.load(ordering: .acquiring) }

    func attach(_ continuation: CheckedContinuation<HTTPResponse, any Error>) {
        self.continuation = continuation
    }

    /// Resumes the waiting caller with the transfer's outcome (libcurl's result code for it).
    func complete(result: CURLcode) {
        guard let continuation else { return }
        self.continuation = nil
        guard result == CURLE_OK else {
            continuation.resume(throwing: transportError(result))
            return
        }
        var status = 0
        _ = cgs_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        var seconds = 0.0
        _ = cgs_curl_easy_getinfo_double(easy, CURLINFO_TOTAL_TIME, &seconds)
        continuation.resume(returning: HTTPResponse(
            status: status, headers: responseHeaders, body: responseBody, duration: .fractionalSeconds(seconds)))
    }

    /// Resumes the waiting caller with `error` (cancellation, shutdown).
    func fail(_ error: any Error) {
        continuation?.resume(throwing: error)
        continuation = nil
    }

    private func configure(_ request: HTTPRequest) throws {
        func check(_ code: CURLcode, _ option: String) throws {
            guard code == CURLE_OK else {
                throw TransportError(kind: .other, message: "\(option): \(String(cString: curl_easy_strerror(code)))", url: url)
            }
        }
        try check(cgs_curl_easy_setopt_string(easy, CURLOPT_URL, request.url), "URL")
        try check(cgs_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        // HTTP/2 when the server offers it over TLS (Genesys does); plain HTTP/1.1 to the local sandbox.
        try check(cgs_curl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS), "HTTP_VERSION")
        try applyTransport(check: check)
        try check(cgs_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout.millisecondsRoundedUp)), "CONNECTTIMEOUT_MS")
        try check(cgs_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(request.totalTimeout.millisecondsRoundedUp)), "TIMEOUT_MS")
        try check(cgs_curl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1), "TCP_KEEPALIVE")
        try check(cgs_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")
        // A body whose Content-Length is already too large is refused before any of it is read; one that grows
        // past the limit unannounced is refused by the body callback.
        try check(cgs_curl_easy_setopt_off_t(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxResponseBytes)), "MAXFILESIZE_LARGE")

        switch request.method {
        case "GET": try check(cgs_curl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1), "HTTPGET")
        case "POST": break
        default: try check(cgs_curl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method), "CUSTOMREQUEST")
        }
        if request.method != "GET" {
            // COPYPOSTFIELDS copies the bytes, so the request's array need not outlive this call.
            try check(cgs_curl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)), "POSTFIELDSIZE")
            // One spare byte keeps the buffer non-empty, so libcurl gets a real pointer even for an empty body.
            let padded = request.body + [0]
            try padded.withUnsafeBytes { bytes in
                try check(cgs_curl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress)), "COPYPOSTFIELDS")
            }
        }

        // "Expect:" turns off the 100-continue round trip libcurl would add to larger POSTs.
        for header in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            headerList = curl_slist_append(headerList, header)
        }
        try check(cgs_curl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, headerList), "HTTPHEADER")

        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(cgs_curl_easy_setopt_pointer(easy, CURLOPT_PRIVATE, context), "PRIVATE")
        try check(cgs_curl_easy_setopt_write_callback(easy, CURLOPT_WRITEFUNCTION, curlBodyCallback), "WRITEFUNCTION")
        try check(cgs_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context), "WRITEDATA")
        try check(cgs_curl_easy_setopt_write_callback(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback), "HEADERFUNCTION")
        try check(cgs_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context), "HEADERDATA")
    }

    /// Takes the next piece of the body; false (and nothing taken) past ``HTTPRequest/maxResponseBytes``.
    fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count <= maxResponseBytes - responseBody.count else {
            bodyTooLarge = true
            return false
        }
        responseBody.append(contentsOf: bytes)
        return true
    }

    /// Parses one header line on the libcurl thread, in bytes: every Genesys call passes through this one thread,
    /// and Foundation's character-set trimming here once took 40 % of its time.
    fileprivate func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = Self.trimmed(bytes[...])
        if line.starts(with: Self.statusLinePrefix) {
            responseHeaders = [:]  // a new response (after 100 Continue or a redirect) starts over
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        // Headers from outside: a few dozen are kept, not as many distinct names as a server cares to send.
        guard responseHeaders.count < Self.maxHeaders else { return }
        let name = String(decoding: Self.trimmed(line[..<colon]), as: UTF8.self).lowercased()
        responseHeaders[name] = String(decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self)
    }

    private static let statusLinePrefix = Array("HTTP/".utf8)
    /// Distinct response headers kept (a repeated name keeps its last value); libcurl bounds each line's length.
    static let maxHeaders = 100

    /// `bytes` without leading and trailing spaces, tabs, CR and LF.
    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }

    private func transportError(_ code: CURLcode) -> TransportError {
        if bodyTooLarge || code == CURLE_FILESIZE_EXCEEDED { return .responseTooLarge(limit: maxResponseBytes, url: url) }
        let detail = String(cString: errorBuffer)
        let message = explained(code, detail: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        let kind: TransportError.Kind
        switch code {
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR,
             CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SSL_CONNECT_ERROR, CURLE_HTTP2,
             CURLE_HTTP2_STREAM, CURLE_PROXY:
            kind = .connection
        default: kind = .other
        }
        return TransportError(kind: kind, message: message, url: url)
    }
}

private let curlBodyCallback: curl_write_callback = { pointer, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    // Fewer bytes than given makes libcurl end the transfer (CURLE_WRITE_ERROR).
    return transfer.appendBody(UnsafeRawBufferPointer(start: pointer, count: size * count)) ? size * count : 0
}

private let curlHeaderCallback: curl_write_callback = { pointer, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.appendHeaderLine(UnsafeRawBufferPointer(start: pointer, count: size * count))
    return size * count
}
