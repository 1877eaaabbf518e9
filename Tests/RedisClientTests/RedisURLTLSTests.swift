import RedisClient
import Testing

/// `rediss://` and the ACL user: redis-py's URL conventions, and the errors an operator sees for everything else.
@Suite struct RedisURLTLSTests {
    @Test func redissWithEveryParameter() throws {
        let url = try RedisURL(parsing:
            "rediss://gateway@cache.internal:6380/2?ssl_ca_certs=/etc/ca.pem&ssl_certfile=/etc/c.pem&ssl_keyfile=/etc/k.pem"
                + "&ssl_cert_reqs=required&ssl_check_hostname=true")
        #expect(url.host == "cache.internal" && url.port == 6380 && url.database == 2 && url.user == "gateway")
        #expect(url.tls == RedisTLS(
            caCertificatesFile: "/etc/ca.pem", certificateFile: "/etc/c.pem", keyFile: "/etc/k.pem",
            certificateRequirement: .required, checksHostname: true))
        #expect(url.description == "cache.internal:6380/2")
    }

    @Test func redissDefaultsVerifyThePeerAndItsHostAgainstTheSystemCAs() throws {
        let tls = try #require(try RedisURL(parsing: "rediss://cache.internal").tls)
        #expect(tls.caCertificatesFile == nil && tls.certificateFile == nil && tls.keyFile == nil)
        #expect(tls.certificateRequirement == .required && tls.checksHostname && tls.verifiesPeer)
        #expect(try RedisURL(parsing: "rediss://cache.internal").port == 6379)
        #expect(try RedisURL(parsing: "redis://cache.internal").tls == nil)
    }

    @Test func certificateRequirementsAndHostNameCheck() throws {
        let none = try #require(try RedisURL(parsing: "rediss://h?ssl_cert_reqs=none").tls)
        #expect(none.certificateRequirement == .none && !none.checksHostname && !none.verifiesPeer)
        let optional = try #require(try RedisURL(parsing: "rediss://h?ssl_cert_reqs=optional").tls)
        #expect(optional.verifiesPeer && optional.checksHostname)
        let unchecked = try #require(try RedisURL(parsing: "rediss://h?ssl_check_hostname=false").tls)
        #expect(unchecked.verifiesPeer && !unchecked.checksHostname)
    }

    @Test func theUserIsPercentDecodedAndTheKeyFileMayBeTheCertificateFile() throws {
        let url = try RedisURL(parsing: "rediss://team%40a@[::1]:7000/0?ssl_certfile=/etc/with%20space.pem")
        #expect(url.user == "team@a" && url.host == "::1" && url.port == 7000)
        #expect(url.tls?.certificateFile == "/etc/with space.pem" && url.tls?.keyFile == nil)
        #expect(try RedisURL(parsing: "redis://reader@h:6390").user == "reader")
    }

    @Test(arguments: [
        ("rediss://h?ssl_ca_cert=/x.pem", "unknown query parameter 'ssl_ca_cert'"),
        ("rediss://h?socket_timeout=5", "unknown query parameter 'socket_timeout'"),
        ("redis://h?ssl_ca_certs=/x.pem", "'ssl_ca_certs' needs rediss://"),
        ("rediss://h?ssl_cert_reqs=CERT_REQUIRED", "ssl_cert_reqs must be required, optional or none"),
        ("rediss://h?ssl_check_hostname=maybe", "ssl_check_hostname must be true or false"),
        ("rediss://h?ssl_cert_reqs=none&ssl_check_hostname=true", "ssl_check_hostname=true needs"),
        ("rediss://h?ssl_keyfile=/k.pem", "ssl_keyfile needs ssl_certfile"),
        ("rediss://h?ssl_ca_certs=/a.pem&ssl_ca_certs=/b.pem", "given twice"),
        ("rediss://h?ssl_ca_certs=", "is empty"),
        ("rediss://h?ssl_ca_certs", "has no value"),
        ("rediss://h?ssl_ca_certs=%zz", "badly percent-encoded"),
        ("rediss://@h", "user name before '@' is empty"),
        ("rediss://h#frag", "fragment"),
        ("rediss://h:0", "port must be a number"),
        ("redis+tls://h", "expected redis://"),
    ])
    func invalidURLsAreRefusedNamingWhatIsWrong(text: String, expected: String) {
        do {
            _ = try RedisURL(parsing: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .invalidURL)
            #expect(error.message.contains(expected), "\(error)")
        }
    }

    /// A password is never taken from the URL, and never shown, wherever a `/`, `?` or `@` in it splits the URL.
    @Test(arguments: [
        "rediss://gateway:hunter2@h:6380", "rediss://:hunter2@h", "rediss://gateway:hun/ter2@h:6380/0",
        "rediss://gateway:hun?ter2@h:6380", "rediss://gateway:hun@ter2@h:6380", "redis://gateway:hunter2@h:x",
    ])
    func aPasswordInTheURLIsRefusedAndNeverShown(text: String) {
        do {
            _ = try RedisURL(parsing: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .invalidURL)
            #expect(!"\(error)".contains("hunter2") && !"\(error)".contains("hun") && !"\(error)".contains("ter2"), "\(error)")
        }
    }

    @Test func theRedactedFormShowsUserAndParametersToLog() throws {
        let url = try RedisURL(parsing: "rediss://gateway@h:6380/1?ssl_ca_certs=/ca.pem&ssl_cert_reqs=none")
        #expect(url.redacted == "rediss://gateway@h:6380/1?ssl_ca_certs=/ca.pem&ssl_cert_reqs=none")
        #expect(try RedisURL(parsing: url.redacted) == url)
        #expect(try RedisURL(parsing: "redis://h").redacted == "redis://h:6379/0")
    }

    @Test func serverVersionsParseAndOrder() {
        #expect(RedisServerVersion(parsing: "7.0.15") == RedisServerVersion(7, 0, 15))
        #expect(RedisServerVersion(parsing: "7.2.4-rc1") == RedisServerVersion(7, 2, 4))
        #expect(RedisServerVersion(parsing: "6.2") == RedisServerVersion(6, 2, 0))
        #expect(RedisServerVersion(parsing: "seven") == nil && RedisServerVersion(parsing: "7") == nil)
        #expect(RedisServerVersion(parsing: "99999999999999999999.1") == nil)
        #expect(RedisServerVersion(6, 2, 14) < RedisServerVersion(7, 0) && RedisServerVersion(7, 0, 15) >= RedisServerVersion(7, 0))
    }
}
