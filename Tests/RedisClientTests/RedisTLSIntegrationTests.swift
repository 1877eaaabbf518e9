import Foundation
import RedisClient
import RedisTestSupport
import Testing

/// `rediss://` against a real redis-server with `--tls-port` and certificates the test scripts made: what works with
/// the right set-up, and the error an operator sees for each wrong one.
@Suite(.timeLimit(.minutes(1))) struct RedisTLSIntegrationTests {
    @Test func commandsScriptsAndPipelinesWorkOverTLSWithTheRightCA() async throws {
        let url = try TestTLSRedis.url()
        let client = RedisClient(
            configuration: RedisConfiguration(url: url, clientName: "redis-tls-tests", commandTimeout: .seconds(2)),
            logger: TestRedis.logger)
        // The connection really is the TLS port's (its local address on the server's side).
        let info = try await client.send("CLIENT", "INFO").string ?? ""
        #expect(info.contains("laddr=127.0.0.1:\(url.port) "), "\(info)")
        let key = TestRedis.key("tls")
        #expect(try await client.send("SET", key, "value") == .status("OK"))
        #expect(try await client.send("GET", key) == .bulk(Array("value".utf8)))
        // Larger than a TLS record (16 KiB) and the read buffer: the reply arrives in many reads.
        let large = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(try await client.send("SET", key, large) == .status("OK"))
        #expect(try await client.send("GET", key) == .bulk(large))
        let script = try await client.script(load: "return 'tls:' .. ARGV[1]")
        #expect(try await client.send("SCRIPT", "FLUSH") == .status("OK"))
        #expect(try await client.evalSHA(script, arguments: ["one"]) == .bulk(Array("tls:one".utf8)))
        #expect(try await client.evalSHA(script, arguments: ["two"]) == .bulk(Array("tls:two".utf8)))
        let before = client.statistics
        let echoes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<200 { group.addTask { try await client.send("ECHO", "\(index)") == .bulk(Array("\(index)".utf8)) } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(echoes == 200)
        let after = client.statistics
        #expect(after.commands - before.commands == 200 && after.roundTrips - before.roundTrips < 200, "\(before) → \(after)")
        #expect(after.connects == 1)
        await client.shutdown()

        let connection = try TestTLSRedis.connect(url)
        let counter = TestRedis.key("tls-pipeline")
        let results = connection.pipeline((1...100).map { _ in RedisCommand("INCR", counter) })
        #expect(results.map { try? $0.get() } == (1...100).map { RedisReply.integer(Int64($0)) })
    }

    @Test func anIPAddressIsCheckedAgainstTheCertificatesIPNames() throws {
        let connection = try TestTLSRedis.connect(try TestTLSRedis.url(host: "127.0.0.1"))
        #expect(try connection.send(RedisCommand("PING")) == .status("PONG"))
    }

    @Test func aServerNotSignedByTheGivenCAIsRefusedNamingTheServer() throws {
        let url = try TestTLSRedis.url(query: "ssl_ca_certs={certs}/wrong-ca.pem")
        let error = try #require(TestTLSRedis.connectError(url))
        #expect(error.code == .connectFailed)
        #expect("\(error)".contains("localhost:\(url.port)/0"), "\(error)")
        #expect(error.message.contains("not trusted") && error.message.contains("wrong-ca.pem"), "\(error)")
        // Without ssl_ca_certs the system's CAs are asked, and they did not sign the test CA either.
        let system = try #require(TestTLSRedis.connectError(try TestTLSRedis.url(query: "")))
        #expect(system.code == .connectFailed && system.message.contains("the system's CAs"), "\(system)")
    }

    @Test func aCertificateForAnotherHostIsRefusedUnlessTheHostCheckIsOff() throws {
        let server = try PrivateTLSRedisServer(certificate: "wrong-host.pem", requireClientCertificates: false)
        for host in ["localhost", "127.0.0.1"] {
            let error = try #require(TestTLSRedis.connectError(try TestTLSRedis.url(host: host, port: server.port)))
            #expect(error.code == .connectFailed, "\(error)")
            #expect("\(error)".contains("\(host):\(server.port)/0") && error.message.contains("not valid for \(host)"), "\(error)")
        }
        // The chain is fine: only the name was wrong.
        let unchecked = try TestTLSRedis.url(port: server.port, query: "ssl_ca_certs={certs}/ca.pem&ssl_check_hostname=false")
        #expect(try TestTLSRedis.connect(unchecked).send(RedisCommand("PING")) == .status("PONG"))
    }

    @Test func mutualTLSWorksWithAClientCertificateAndIsRefusedWithout() throws {
        let server = try PrivateTLSRedisServer(requireClientCertificates: true)
        let withKey = try TestTLSRedis.url(
            port: server.port, query: "ssl_ca_certs={certs}/ca.pem&ssl_certfile={certs}/client.pem&ssl_keyfile={certs}/client-key.pem")
        #expect(try TestTLSRedis.connect(withKey).send(RedisCommand("PING")) == .status("PONG"))
        let combined = try TestTLSRedis.url(port: server.port, query: "ssl_ca_certs={certs}/ca.pem&ssl_certfile={certs}/client-combined.pem")
        #expect(try TestTLSRedis.connect(combined).send(RedisCommand("PING")) == .status("PONG"))

        let missing = try #require(TestTLSRedis.connectError(try TestTLSRedis.url(port: server.port)))
        #expect(missing.code == .connectFailed && missing.message.contains("requires a client certificate"), "\(missing)")
        #expect("\(missing)".contains("localhost:\(server.port)/0"))
        let stranger = try #require(TestTLSRedis.connectError(try TestTLSRedis.url(
            port: server.port, query: "ssl_ca_certs={certs}/ca.pem&ssl_certfile={certs}/stranger.pem&ssl_keyfile={certs}/stranger-key.pem")))
        #expect(stranger.code == .connectFailed && stranger.message.contains("refused the client certificate"), "\(stranger)")
    }

    @Test func aMissingOrMismatchedClientFileIsNamed() throws {
        let absent = try #require(TestTLSRedis.connectError(try TestTLSRedis.url(query: "ssl_ca_certs={certs}/absent-ca.pem")))
        #expect(absent.message.contains("ssl_ca_certs") && absent.message.contains("absent-ca.pem"), "\(absent)")
        let mismatched = try #require(TestTLSRedis.connectError(try TestTLSRedis.url(
            query: "ssl_ca_certs={certs}/ca.pem&ssl_certfile={certs}/client.pem&ssl_keyfile={certs}/stranger-key.pem")))
        #expect(mismatched.message.contains("does not belong to the certificate"), "\(mismatched)")
    }

    @Test func anACLUserAuthenticatesWithItsPasswordOverTLS() async throws {
        let admin = try TestRedis.client()
        let user = "tls-user-\(UUID().uuidString.prefix(8).lowercased())"
        let password = "pw-\(UUID().uuidString)"
        #expect(try await admin.send("ACL", "SETUSER", user, "on", ">\(password)", "~*", "&*", "+@all") == .status("OK"))
        let checked = Result { () throws -> Void in
            let url = try TestTLSRedis.url(user: user)
            let connection = try TestTLSRedis.connect(url, password: password)
            #expect(try connection.send(RedisCommand("ACL", "WHOAMI")) == .bulk(Array(user.utf8)))
            let wrong = try #require(TestTLSRedis.connectError(url, password: "not-\(password)"))
            #expect(wrong.code == .connectFailed && wrong.operation == "AUTH" && wrong.message.contains("WRONGPASS"), "\(wrong)")
            #expect(!"\(wrong)".contains(password))
            let none = try #require(TestTLSRedis.connectError(url))
            #expect(none.message.contains("needs a password"), "\(none)")
        }
        _ = try await admin.send("ACL", "DELUSER", user)
        await admin.shutdown()
        try checked.get()
    }

    /// A TLS 1.3 server sends session tickets after the handshake: they are not taken for a server that closed the
    /// idle connection. One that did close it (`CLIENT KILL`) is replaced before the next command.
    @Test func anIdleTLSConnectionIsKeptAndAClosedOneReplaced() async throws {
        let client = RedisClient(
            configuration: RedisConfiguration(url: try TestTLSRedis.url(), clientName: "redis-tls-tests"), logger: TestRedis.logger)
        let id = try await TestRedis.connectionID(of: client)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await client.send("PING") == .status("PONG"))
        #expect(try await TestRedis.connectionID(of: client) == id && client.statistics.connects == 1)
        let admin = try TestRedis.client()
        #expect(try await admin.send("CLIENT", "KILL", "ID", id) == .integer(1))
        await admin.shutdown()
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await client.send("PING") == .status("PONG"))
        #expect(client.statistics.connects == 2)
        await client.shutdown()
    }

    @Test func theRealServerPassesTheVersionCheck() throws {
        let connection = try TestTLSRedis.connect(try TestTLSRedis.url(), minimumServerVersion: RedisServerVersion(7, 0))
        let version = try #require(connection.serverVersion)
        #expect(version >= RedisServerVersion(7, 0))
    }

    @Test func withoutVerificationAnyCertificateIsAccepted() throws {
        let connection = try TestTLSRedis.connect(try TestTLSRedis.url(query: "ssl_cert_reqs=none"))
        #expect(try connection.send(RedisCommand("PING")) == .status("PONG"))
    }

    /// TLS to a port that does not speak it, and a server that never answers the handshake, fail within the connect
    /// timeout, not the command's and not never. (Redis' plain port answers a ClientHello only if a byte of it happens
    /// to be a newline, which ends an inline command: then the handshake fails on the answer, else it times out.)
    @Test func aHandshakeThatCannotSucceedFailsInTime() throws {
        var plain = try TestRedis.url()
        plain.tls = RedisTLS(certificateRequirement: .none)
        let toPlain = ContinuousClock.now
        do {
            _ = try RedisConnection(url: plain, connectTimeout: .milliseconds(300), commandTimeout: .seconds(5))
            Issue.record("a TLS handshake with a plain port succeeded")
        } catch {
            #expect(error.code == .connectFailed || error.code == .timeout, "\(error)")
        }
        #expect(ContinuousClock.now - toPlain < .seconds(2))

        let silent = try RedisStubServer(replies: [:])
        defer { silent.stop() }
        var url = silent.url
        url.tls = RedisTLS(certificateRequirement: .none)
        let started = ContinuousClock.now
        #expect(throws: RedisError(.timeout, operation: "", address: "", message: "")) {
            try RedisConnection(url: url, connectTimeout: .milliseconds(300), commandTimeout: .seconds(5))
        }
        #expect(ContinuousClock.now - started < .seconds(2))
    }
}
