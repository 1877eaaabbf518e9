import Crypto
import Foundation
import GatewayCore

/// One generation's on-disk index of the idempotency record: an open-addressing hash table (linear probing) from
/// a message's key to where its receipt line starts in the generation's log.
///
/// The file is a 4 KiB header — magic, slot count, slots used, the key of the hash — and then 16-byte slots: the
/// key's hash (0: empty) and the line's offset. A hash is keyed (HMAC-SHA256 with the index's own random key)
/// because message ids are the callers': ids crafted to collide would otherwise lengthen every probe. A match is
/// only a candidate: the store reads the line and compares the key itself.
///
/// Nothing is ever deleted from an index: a generation's index goes whole with its log once it is older than
/// the record keeps (``FileIdempotencyStore``), so probes never meet tombstones. The file is sparse: the disk gives
/// blocks as slots are written, and a write it refuses is reported like the log's (queued sends wait).
final class ReceiptIndexFile {
    static let headerSize: UInt64 = 4096
    static let slotSize = 16
    private static let magic = Array("GGWRIX01".utf8)
    /// Slots a probe reads at once (one 128-byte read covers most probes at the load the store keeps).
    private static let slotsPerRead = 8
    /// Slots a probe looks at before giving up: an insert that finds no empty slot within them fails, and the
    /// store starts a new generation.
    static let longestProbe = 256

    let file: RandomAccessFile
    let slotCount: UInt64
    /// HMAC's state after the key: copied for each hash instead of set up from the key again (the key schedule was
    /// most of a hash's cost).
    private let keyedHMAC: HMAC<SHA256>
    /// The key of ``hash(of:)``, as stored in the header.
    let hashKeyBytes: [UInt8]
    /// Slots taken; saved in the header now and then (after a crash it may lag, which only delays a rollover).
    private(set) var used: UInt64
    private var unsavedInserts = 0

    /// Creates an empty index of `slotCount` slots (a power of two), hashing with `hashKey` (32 bytes; a fresh
    /// random one when nil). Generations share their key, so that a lookup through all of them hashes once.
    static func create(path: String, slotCount: UInt64, hashKey: [UInt8]?) throws -> ReceiptIndexFile {
        let file = try RandomAccessFile(path: path, writable: true, create: true)
        try file.resize(to: headerSize + slotCount * UInt64(slotSize))
        let key = hashKey ?? (0..<32).map { _ in UInt8.random(in: 0...255) }
        try file.write(Self.header(slotCount: slotCount, used: 0, key: key), at: 0)
        return try ReceiptIndexFile(file: file)
    }

    deinit {
        if unsavedInserts > 0 { try? saveUsed() }
    }

    /// Opens an index `create` made; an index whose header or size is not one is an error.
    convenience init(opening path: String) throws {
        try self.init(file: RandomAccessFile(path: path, writable: true))
    }

    private init(file: RandomAccessFile) throws {
        let header = try file.read(at: 0, count: 56)
        let slotCount = header.count == 56 ? Self.number(header, at: 8) : 0
        guard header.count == 56, Array(header[0..<8]) == Self.magic, slotCount > 0, slotCount & (slotCount - 1) == 0,
              slotCount <= 1 << 40, try file.size() >= Self.headerSize + slotCount * UInt64(Self.slotSize)
        else {
            throw RecordFileError(path: file.path, operation: "read it as an index", reason: "not an index this gateway wrote")
        }
        self.file = file
        self.slotCount = slotCount
        used = min(Self.number(header, at: 16), slotCount)
        hashKeyBytes = Array(header[24..<56])
        keyedHMAC = HMAC(key: SymmetricKey(data: hashKeyBytes))
    }

    /// The share of slots taken.
    var load: Double { Double(used) / Double(slotCount) }

    /// The keyed hash of `key`, never 0 (0 marks an empty slot).
    func hash(of key: String) -> UInt64 {
        var hmac = keyedHMAC
        hmac.update(data: Array(key.utf8))
        let code = hmac.finalize()
        let value = Self.number(Array(code.prefix(8)), at: 0)
        return value == 0 ? 1 : value
    }

    /// What a lookup found: the offsets of the lines whose key has the hash (oldest first), and where an insert of
    /// that hash would go (the first empty slot) as of the ``InsertHint/writes``-th write.
    struct Lookup {
        var offsets: [UInt64]
        var hint: InsertHint?
    }

    /// Where an insert of a hash a lookup found absent goes, unless a write took that slot since.
    struct InsertHint {
        var slot: UInt64
        var writes: UInt64
    }

    func lookUp(_ hash: UInt64) throws -> Lookup {
        var found: [UInt64] = []
        let empty = try probe(from: hash) { slotHash, offset, _ in
            if slotHash == 0 { return true }
            if slotHash == hash { found.append(offset) }
            return false
        }
        return Lookup(offsets: found, hint: empty.map { InsertHint(slot: $0, writes: writes) })
    }

    /// Puts `hash` → `offset` in the first empty slot of its probe: the one `hint` names when no write took it
    /// since (the slots before it were taken, and slots are never emptied), saving the probe's read.
    /// - Returns: false when the probe found no empty slot within ``longestProbe`` (the index is too full).
    func insert(hash: UInt64, offset: UInt64, hint: InsertHint? = nil) throws -> Bool {
        let slot: UInt64?
        if let hint, hint.slot < slotCount, !written(hint.slot, since: hint.writes) {
            slot = hint.slot
        } else {
            slot = try probe(from: hash) { slotHash, _, _ in slotHash == 0 }
        }
        guard let slot else { return false }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.slotSize)
        Self.append(hash, to: &bytes)
        Self.append(offset, to: &bytes)
        try file.write(bytes, at: Self.headerSize + slot * UInt64(Self.slotSize))
        noteWrite(slot)
        used += 1
        unsavedInserts += 1
        if unsavedInserts >= 1024 { try saveUsed() }
        return true
    }

    /// Writes so far, and for each of ``writeBuckets`` buckets of slots the number of the last write into one of
    /// them: a slot whose bucket saw no write since a lookup is as the lookup saw it. (A bucket shared by another
    /// slot only sends the insert to the probe.)
    private var writes: UInt64 = 0
    private var lastWrites: [UInt64] = []
    private static let writeBuckets = 1 << 16

    private func noteWrite(_ slot: UInt64) {
        if lastWrites.isEmpty { lastWrites = Array(repeating: 0, count: Self.writeBuckets) }
        writes += 1
        lastWrites[Int(slot & UInt64(Self.writeBuckets - 1))] = writes
    }

    private func written(_ slot: UInt64, since writeCount: UInt64) -> Bool {
        !lastWrites.isEmpty && lastWrites[Int(slot & UInt64(Self.writeBuckets - 1))] > writeCount
    }

    /// Writes the count of slots used into the header.
    func saveUsed() throws {
        var bytes: [UInt8] = []
        Self.append(used, to: &bytes)
        try file.write(bytes, at: 16)
        unsavedInserts = 0
    }

    /// Walks the slots from `hash`'s home until `stop` says so or ``longestProbe`` slots were seen.
    /// - Returns: the slot `stop` stopped at.
    private func probe(from hash: UInt64, stop: (UInt64, UInt64, UInt64) -> Bool) throws -> UInt64? {
        var slot = hash & (slotCount - 1)
        var seen = 0
        while seen < Self.longestProbe {
            let run = Int(min(UInt64(Self.slotsPerRead), slotCount - slot))
            let bytes = try file.read(at: Self.headerSize + slot * UInt64(Self.slotSize), count: run * Self.slotSize)
            guard bytes.count == run * Self.slotSize else {
                throw RecordFileError(path: file.path, operation: "read slot \(slot)", reason: "the file is shorter than its slots")
            }
            for index in 0..<run {
                let slotHash = Self.number(bytes, at: index * Self.slotSize)
                if stop(slotHash, Self.number(bytes, at: index * Self.slotSize + 8), slot) { return slot }
                slot = (slot + 1) & (slotCount - 1)
                seen += 1
            }
        }
        return nil
    }

    private static func header(slotCount: UInt64, used: UInt64, key: [UInt8]) -> [UInt8] {
        var bytes = magic
        append(slotCount, to: &bytes)
        append(used, to: &bytes)
        bytes += key
        return bytes
    }

    /// A little-endian UInt64 at `offset` of `bytes` (which holds at least 8 bytes from there).
    private static func number(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in (offset..<offset + 8).reversed() { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
