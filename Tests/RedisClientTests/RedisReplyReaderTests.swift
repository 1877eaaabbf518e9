import Testing
@testable import RedisClient

/// The RESP reader takes what a server sends, whatever it sends: a reply past the bound fails the connection
/// instead of being held whole.
@Suite struct RedisReplyReaderTests {
    func feed(_ reader: RedisReplyReader, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try reader.feed($0) }
    }

    @Test func repliesUpToTheBoundAreReadAndTheCountStartsAgainAfterEach() throws {
        let reader = try RedisReplyReader()
        let value = [UInt8](repeating: 0x61, count: RedisReplyReader.maxReplyBytes - 64)
        for _ in 0..<3 {
            try feed(reader, Array("$\(value.count)\r\n".utf8) + value + Array("\r\n".utf8))
            #expect(try reader.next() == .bulk(value))
        }
        try feed(reader, Array("+OK\r\n:7\r\n".utf8))
        #expect(try reader.next() == .status("OK"))
        #expect(try reader.next() == .integer(7))
        #expect(try reader.next() == nil)
    }

    @Test func aBulkStringPastTheBoundFailsBeforeItIsAllRead() throws {
        let reader = try RedisReplyReader()
        try feed(reader, Array("$1000000000\r\n".utf8))
        let chunk = [UInt8](repeating: 0x61, count: 1 << 20)
        #expect(throws: RedisReplyReader.Malformed.self) {
            for _ in 0...(RedisReplyReader.maxReplyBytes >> 20) {
                try feed(reader, chunk)
                #expect(try reader.next() == nil)
            }
        }
    }

    @Test func anArrayOfManySmallElementsPastTheBoundFailsToo() throws {
        let reader = try RedisReplyReader()
        try feed(reader, Array("*100000000\r\n".utf8))
        let elements = [UInt8](String(repeating: ":1\r\n", count: 1 << 18).utf8)
        #expect(throws: RedisReplyReader.Malformed.self) {
            for _ in 0...(RedisReplyReader.maxReplyBytes / elements.count) {
                try feed(reader, elements)
                #expect(try reader.next() == nil)
            }
        }
    }
}
