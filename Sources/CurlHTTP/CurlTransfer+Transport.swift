import CCurl
import CGatewayShims
import GatewayCore

/// The TLS and proxy side of a transfer: libcurl's options for ``HTTPTransportSettings``, and errors that say which
/// of them was in force.
extension CurlTransfer {
    /// Sets the options `transport` names; the others keep libcurl's defaults (the pool's `curl_easy_reset` put them
    /// back after the handle's last transfer).
    ///
    /// libcurl keeps a connection only for a later transfer with the same CA file, CA directory, client certificate
    /// and proxy, so orgs with different settings never share one.
    /// - Parameter check: throws, naming the option, when libcurl refuses it.
    func applyTransport(check: (CURLcode, String) throws -> Void) throws {
        if let caFile = transport.caFile {
            try check(cgs_curl_easy_setopt_string(easy, CURLOPT_CAINFO, caFile), "CAINFO")
        }
        if let caDirectory = transport.caDirectory {
            try check(cgs_curl_easy_setopt_string(easy, CURLOPT_CAPATH, caDirectory), "CAPATH")
        }
        if let certificate = transport.clientCertificateFile {
            try check(cgs_curl_easy_setopt_string(easy, CURLOPT_SSLCERT, certificate), "SSLCERT")
            try check(cgs_curl_easy_setopt_string(easy, CURLOPT_SSLCERTTYPE, "PEM"), "SSLCERTTYPE")
        }
        if let key = transport.clientKeyFile {
            try check(cgs_curl_easy_setopt_string(easy, CURLOPT_SSLKEY, key), "SSLKEY")
            try check(cgs_curl_easy_setopt_string(easy, CURLOPT_SSLKEYTYPE, "PEM"), "SSLKEYTYPE")
        }
        if let proxy = transport.proxy {
            try check(cgs_curl_easy_setopt_string(easy, CURLOPT_PROXY, proxy), "PROXY")
        }
        if let noProxy = transport.noProxy {
            try check(cgs_curl_easy_setopt_string(easy, CURLOPT_NOPROXY, noProxy), "NOPROXY")
        }
    }

    /// libcurl's `detail` for a failed transfer, with what an operator needs to act on it: which CAs the server's
    /// certificate was checked against, whether a client certificate was shown, which proxy was used.
    func explained(_ code: CURLcode, detail: String) -> String {
        var message = detail
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION:
            message = "the server's certificate was not accepted (checked against \(trustedCAs)): \(detail)"
        case CURLE_SSL_CACERT_BADFILE:
            message = "the CAs could not be read (\(trustedCAs)): \(detail)"
        case CURLE_SSL_CERTPROBLEM:
            message = "the client certificate or key could not be used (\(clientCertificate)): \(detail)"
        case CURLE_SSL_CONNECT_ERROR, CURLE_RECV_ERROR, CURLE_SEND_ERROR:
            // A TLS alert about a certificate after our side of the handshake: the server judged ours (TLS 1.3 sends
            // that verdict after the handshake, so it may come as a read error).
            let lowered = detail.lowercased()
            if lowered.contains("alert"), lowered.contains("certificate") || lowered.contains("unknown ca") {
                message = "the server refused the TLS connection over its client certificate check (\(clientCertificate)): \(detail)"
            }
        default:
            break
        }
        if let proxy = transport.displayProxy { message += " (through proxy \(proxy))" }
        return message
    }

    private var trustedCAs: String {
        (transport.caFile.map { "CA file \($0)" } ?? "libcurl's default CA file") + " and "
            + (transport.caDirectory.map { "CA directory \($0)" } ?? "libcurl's default CA directory")
    }

    private var clientCertificate: String {
        transport.clientCertificateFile.map { "client certificate \($0)" } ?? "no client certificate configured"
    }
}
