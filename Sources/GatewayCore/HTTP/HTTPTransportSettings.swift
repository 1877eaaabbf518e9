import Foundation

/// How an outgoing HTTP call reaches its server: which CAs may sign the server's certificate, which certificate the
/// gateway shows for mutual TLS, and which proxy it goes through.
///
/// Each field is one libcurl option, with libcurl's meaning, so what libcurl's documentation says of an option holds
/// here. A nil field leaves libcurl's default: its CA bundle and CA directory (Debian's libcurl:
/// `/etc/ssl/certs/ca-certificates.crt` and `/etc/ssl/certs`), no client certificate, and the proxy its environment
/// variables name (`https_proxy`, `http_proxy`, `all_proxy`, `no_proxy`).
///
/// The gateway's own settings (`run --http-…`) apply to every call; an org's (`http:` in its tenant file) override
/// them for that org's calls to Genesys and its login host (``overridden(by:)``).
public struct HTTPTransportSettings: Sendable, Hashable {
    /// `CURLOPT_CAINFO`: a PEM file of the CAs that may sign the server's certificate, instead of libcurl's bundle.
    /// libcurl's CA directory still counts unless ``caDirectory`` names another.
    public var caFile: String?
    /// `CURLOPT_CAPATH`: a directory of CA certificates named by their hash (`openssl rehash`), instead of libcurl's.
    public var caDirectory: String?
    /// `CURLOPT_SSLCERT` (PEM): the certificate the gateway shows a server that asks for one, with its chain if any.
    public var clientCertificateFile: String?
    /// `CURLOPT_SSLKEY` (PEM, not encrypted): the private key of ``clientCertificateFile``.
    public var clientKeyFile: String?
    /// `CURLOPT_PROXY`: `http://`, `https://`, `socks5://` or `socks5h://` `[user:password@]host[:port]`.
    public var proxy: String?
    /// `CURLOPT_NOPROXY`: hosts reached directly, comma-separated (`*` for all); `""` uses the proxy for every host,
    /// whatever the `no_proxy` environment variable says.
    public var noProxy: String?

    public init(
        caFile: String? = nil, caDirectory: String? = nil, clientCertificateFile: String? = nil, clientKeyFile: String? = nil,
        proxy: String? = nil, noProxy: String? = nil
    ) {
        self.caFile = caFile
        self.caDirectory = caDirectory
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
        self.proxy = proxy
        self.noProxy = noProxy
    }

    /// Nothing set: every call as libcurl makes it by default.
    public var isEmpty: Bool { self == HTTPTransportSettings() }

    /// One setting, for errors: the libcurl option it is.
    public enum Field: String, Sendable, CaseIterable {
        case caFile = "CURLOPT_CAINFO"
        case caDirectory = "CURLOPT_CAPATH"
        case clientCertificateFile = "CURLOPT_SSLCERT"
        case clientKeyFile = "CURLOPT_SSLKEY"
        case proxy = "CURLOPT_PROXY"
        case noProxy = "CURLOPT_NOPROXY"
    }

    /// The proxy schemes libcurl is asked to use (`socks5h`: the proxy resolves the host name).
    public static let proxySchemes = ["http", "https", "socks5", "socks5h"]

    /// These settings with those `override` sets in their place: an org's own over the gateway's.
    ///
    /// The CA file and directory are replaced one by one (libcurl uses both). The client certificate and key go
    /// together, so an override that names either replaces both. An override's proxy is used for every host of the
    /// call, unless the override also says which hosts go direct: the gateway's no-proxy list (or the environment's)
    /// was written for the gateway's proxy, not for an org's own.
    public func overridden(by override: HTTPTransportSettings) -> HTTPTransportSettings {
        var merged = self
        merged.caFile = override.caFile ?? caFile
        merged.caDirectory = override.caDirectory ?? caDirectory
        if override.clientCertificateFile != nil || override.clientKeyFile != nil {
            merged.clientCertificateFile = override.clientCertificateFile
            merged.clientKeyFile = override.clientKeyFile
        }
        if let proxy = override.proxy {
            merged.proxy = proxy
            merged.noProxy = override.noProxy ?? ""
        } else if let noProxy = override.noProxy {
            merged.noProxy = noProxy
        }
        return merged
    }

    /// The proxy as logs and errors may show it (a password in it hidden).
    public var displayProxy: String? { proxy.map(URLRedaction.hidingPassword(in:)) }

    /// Every problem a start must refuse: a file that cannot be read, a certificate without its key or the reverse, a
    /// proxy libcurl would read otherwise than meant. Checks the files as they are now; libcurl reads them again at
    /// each new connection.
    public func problems() -> [HTTPTransportSettingsError] {
        var problems: [HTTPTransportSettingsError] = []
        func check(_ field: Field, _ path: String?, directory: Bool = false) {
            guard let path else { return }
            if let problem = Self.fileProblem(path, directory: directory) {
                problems.append(HTTPTransportSettingsError(field: field, value: path, problem: problem))
            }
        }
        check(.caFile, caFile)
        check(.caDirectory, caDirectory, directory: true)
        check(.clientCertificateFile, clientCertificateFile)
        check(.clientKeyFile, clientKeyFile)
        if let certificate = clientCertificateFile, clientKeyFile == nil {
            problems.append(HTTPTransportSettingsError(field: .clientCertificateFile, value: certificate, problem: .needs(.clientKeyFile)))
        }
        if let key = clientKeyFile, clientCertificateFile == nil {
            problems.append(HTTPTransportSettingsError(field: .clientKeyFile, value: key, problem: .needs(.clientCertificateFile)))
        }
        if let proxy, let problem = Self.proxyProblem(proxy) {
            problems.append(HTTPTransportSettingsError(field: .proxy, value: URLRedaction.hidingPassword(in: proxy), problem: problem))
        }
        if let noProxy, noProxy.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) {
            problems.append(HTTPTransportSettingsError(field: .noProxy, value: noProxy, problem: .malformedNoProxy))
        }
        return problems
    }

    /// Why `path` cannot serve: missing, the wrong kind, or not readable by this process.
    static func fileProblem(_ path: String, directory: Bool) -> HTTPTransportSettingsError.Problem? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        if directory, !isDirectory.boolValue { return .notADirectory }
        if !directory, isDirectory.boolValue { return .notAFile }
        // A directory is read by listing it and opening files in it: both rights are needed.
        guard FileManager.default.isReadableFile(atPath: path),
              !directory || FileManager.default.isExecutableFile(atPath: path)
        else { return .unreadable }
        return nil
    }

    /// Why libcurl would not use `proxy` as written: no scheme (libcurl would take `http://`, which may not be what
    /// was meant), another scheme, no host, or a path, query or fragment libcurl would ignore.
    static func proxyProblem(_ proxy: String) -> HTTPTransportSettingsError.Problem? {
        guard let separator = proxy.range(of: "://"),
              Self.proxySchemes.contains(proxy[..<separator.lowerBound].lowercased())
        else { return .proxyScheme }
        guard !proxy.contains(where: \.isWhitespace), let components = URLComponents(string: proxy),
              let host = components.host, !host.isEmpty
        else { return .proxyHost }
        guard components.path.isEmpty || components.path == "/", components.query == nil, components.fragment == nil
        else { return .proxyPath }
        return nil
    }
}
