import RedisClient
import Testing

/// URL parsing: what the gateway accepts from `--redis-url`, and the errors an operator sees.
@Suite struct RedisURLTests {
    @Test func hostPortAndDatabase() throws {
        let url = try RedisURL(parsing: "redis://cache.internal:6390/3")
        #expect(url == RedisURL(host: "cache.internal", port: 6390, database: 3))
        #expect(url.description == "cache.internal:6390/3")
    }

    @Test func defaultsAndIPv6() throws {
        #expect(try RedisURL(parsing: "redis://10.0.0.5") == RedisURL(host: "10.0.0.5", port: 6379, database: 0))
        #expect(try RedisURL(parsing: "redis://[::1]:7000/") == RedisURL(host: "::1", port: 7000, database: 0))
    }

    @Test(arguments: [
        "http://host:6379", "redis://", "redis://:6379", "redis://host:0", "redis://host:70000", "redis://host:port",
        "redis://host:6379/x", "redis://host:6379/-1", "redis://user:secret@host:6379", "redis://[::1",
    ])
    func invalidURLsAreRefusedWithContext(text: String) {
        #expect(throws: RedisError(.invalidURL, operation: "", address: "", message: "")) {
            try RedisURL(parsing: text)
        }
    }

    @Test func aPasswordInTheURLIsRefusedWithoutEchoingIt() {
        do {
            _ = try RedisURL(parsing: "redis://:hunter2@host:6379")
            Issue.record("accepted a URL with credentials")
        } catch {
            #expect(error.message.contains("by reference"))
            #expect(error.operation == "parse URL")
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}
