import Foundation
import GatewayCore
import PluginKit

/// What ``FileIdempotencyStore`` keeps and where: recent receipts in memory, every receipt of the retention in
/// generations on disk (``ReceiptGeneration``), the sends under way in `sends.jsonl`. The actor owns one; not
/// thread-safe.
final class ReceiptRecord {
    typealias Limits = FileIdempotencyStore.Limits

    private let directory: String
    private let limits: Limits
    private let now: @Sendable () -> Date
    private let writePath: String?
    /// Oldest first; the last one is appended to.
    private var generations: [ReceiptGeneration]
    /// Recent receipts: a redelivery comes soon after its send. Bounded: ``FileIdempotencyStore/Limits/recentReceipts``.
    private var recent: DirectMappedCache<DeliveryReceipt>
    /// Keys the generations were asked for and do not hold, with their hash and where their insert goes: a send
    /// asks twice (the receipt check, then `sendStarting`) and then records, and a miss stays one until this
    /// process records the key (the only writer of its record). Bounded: 4,096.
    private var misses = DirectMappedCache<Miss>(capacity: 4096)
    private let sends: AppendOnlyRecordFile
    /// Receipts the disk did not take into a generation yet (its index could not be read or written). Bounded: while
    /// any wait, queued sends wait too (``FileIdempotencyStore/writeProblem``); only API sends can add to them.
    private var unindexed: [(key: String, line: [UInt8], miss: Miss?)] = []
    private var indexProblem: String?
    private var lastExpiry: Date

    /// Sends begun and not yet recorded or ended in this run. Bounded: by the messages in flight.
    private var open: Set<String> = []
    /// Sends a previous run left open, each reported once when its message comes back. Bounded: by what was in
    /// flight at the crashes before; kept in `sends.jsonl` until the message comes back.
    private var interrupted: Set<String> = []

    private struct Miss {
        var hashKey: [UInt8]
        var hash: UInt64
        var generation: Int
        var hint: ReceiptIndexFile.InsertHint?
    }

    /// A `sending` or `ended` line.
    private struct SendMark: Decodable {
        var event: String
        var id: String
        var tenant: String
    }

    /// A receipt line.
    private struct Line: Decodable {
        var id: String
        var tenant: String
        var org: String
        var genesysId: String?
        var conversationId: String?
        var correlationId: String?
    }

    /// See ``FileIdempotencyStore/init(directory:limits:importing:now:)``.
    /// - Parameter writePath: where receipt lines are appended (see ``AppendOnlyRecordFile``); tests only.
    init(
        directory: String, limits: Limits, importing legacyPath: String? = nil, now: @escaping @Sendable () -> Date,
        writingTo writePath: String?
    ) throws {
        self.directory = directory
        self.limits = limits
        self.now = now
        self.writePath = writePath
        lastExpiry = now()
        recent = DirectMappedCache(capacity: limits.recentReceipts)
        var markLines: [[UInt8]] = []
        sends = try AppendOnlyRecordFile(path: directory + "/sends.jsonl", lines: &markLines)
        generations = try Self.openGenerations(in: directory, writingTo: writePath)
        if generations.isEmpty {
            generations = [try ReceiptGeneration.create(
                directory: directory, number: 0, started: now(), slotCount: ReceiptGeneration.slotCount(for: 0, atLeast: limits.smallestIndex), hashKey: nil,
                writingTo: writePath)]
        }
        var legacyReceipts: [Line] = []
        let importing = legacyPath.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
        if let importing {
            var lines: [[UInt8]] = []
            _ = try AppendOnlyRecordFile(path: importing, lines: &lines)
            markLines += lines
            legacyReceipts = lines.compactMap { try? JSONDecoder().decode(Line.self, from: Data($0)) }
        }
        let decoder = JSONDecoder()
        var opened: Set<String> = []
        for line in markLines {
            guard let mark = try? decoder.decode(SendMark.self, from: Data(line)) else { continue }
            let key = DeliveryReceipt.idempotencyKey(tenantID: mark.tenant, messageID: mark.id)
            if mark.event == Self.sending { opened.insert(key) } else { opened.remove(key) }
        }
        for line in legacyReceipts { keep(Self.receipt(line)) }
        // A send whose receipt was kept finished: the receipt went to a generation, not to `sends.jsonl`.
        interrupted = opened.filter { lookUp($0) == nil }
        // The imported sends still open move into `sends.jsonl` before the old file is put aside.
        if sends.lineCount > limits.sendLinesBeforeRewrite || importing != nil { rewriteSends() }
        if let importing { try Self.retire(importing) }
    }

    private static let sending = "sending"
    private static let ended = "ended"

    func sendStarting(_ messageID: String, tenantID: String) -> SendStart {
        let key = DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)
        if let receipt = lookUp(key) { return .alreadySent(receipt) }
        open.insert(key)
        mark(Self.sending, messageID, tenantID)
        return .clear
    }

    func sendEnded(_ messageID: String, tenantID: String) {
        open.remove(DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID))
        mark(Self.ended, messageID, tenantID)
    }

    func wasInterrupted(_ messageID: String, tenantID: String) -> Bool {
        interrupted.remove(DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)) != nil
    }

    private func mark(_ event: String, _ messageID: String, _ tenantID: String) {
        sends.append(Self.encode(SendMark(event: event, id: messageID, tenant: tenantID)))
        if sends.lineCount > limits.sendLinesBeforeRewrite { rewriteSends() }
    }

    func record(_ receipt: DeliveryReceipt) {
        open.remove(receipt.idempotencyKey)
        interrupted.remove(receipt.idempotencyKey)
        keep(receipt)
    }

    func retryWrites() {
        sends.flush()
        generations.last?.log?.flush()
        writeUnindexed()
    }

    func receipt(for messageID: String, tenantID: String) -> DeliveryReceipt? {
        lookUp(DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID))
    }

    /// Receipts held in the generations' indexes (saved counts: after a crash it may lag a little).
    var count: Int { generations.reduce(0) { $0 + Int(clamping: $1.index.used) } }

    /// Generations on disk (tests).
    var generationCount: Int { generations.count }

    /// The receipt of `key`: a recent one from memory, else from the generations, newest first.
    private func lookUp(_ key: String) -> DeliveryReceipt? {
        if let known = recent[key] { return known }
        if misses[key] != nil { return nil }
        if let waiting = unindexed.last(where: { $0.key == key }), let line = try? JSONDecoder().decode(Line.self, from: Data(waiting.line)) {
            return Self.receipt(line)
        }
        var hashed: (key: [UInt8], hash: UInt64)?
        var miss: Miss?
        for generation in generations.reversed() {
            let hash: UInt64
            if let hashed, hashed.key == generation.index.hashKeyBytes {
                hash = hashed.hash
            } else {
                hash = generation.index.hash(of: key)
                hashed = (generation.index.hashKeyBytes, hash)
            }
            let candidates: [[UInt8]]
            do {
                let found = try generation.lines(matching: hash)
                candidates = found.lines
                if miss == nil {
                    miss = Miss(hashKey: generation.index.hashKeyBytes, hash: hash, generation: generation.number, hint: found.hint)
                }
            } catch {
                // Not known to be a miss: asked again next time.
                indexProblem = "\(error)"
                return nil
            }
            for bytes in candidates.reversed() {
                guard let line = try? JSONDecoder().decode(Line.self, from: Data(bytes)),
                      DeliveryReceipt.idempotencyKey(tenantID: line.tenant, messageID: line.id) == key
                else { continue }
                let receipt = Self.receipt(line)
                recent[key] = receipt
                return receipt
            }
        }
        misses[key] = miss
        return nil
    }

    /// Keeps `receipt` in memory and in the newest generation.
    private func keep(_ receipt: DeliveryReceipt) {
        let key = receipt.idempotencyKey
        recent[key] = receipt
        unindexed.append((key, Self.encode(receipt), misses[key]))
        misses[key] = nil
        writeUnindexed()
        expireNow()
    }

    /// Writes the receipts waiting for their generation, in order, starting a new generation when the newest is
    /// full or old enough; stops at the first the disk refuses.
    private func writeUnindexed() {
        while let (key, line, miss) = unindexed.first {
            do {
                if try startsNewGeneration() { try startGeneration() }
                guard let current = generations.last else { return }
                // The lookup's hash and slot, when it was made in this generation with its key.
                let found = miss.flatMap { miss in
                    miss.hashKey == current.index.hashKeyBytes
                        ? (hash: miss.hash, hint: miss.generation == current.number ? miss.hint : nil) : nil
                }
                guard try current.append(line, key: key, found: found) else {
                    try startGeneration()
                    continue
                }
                unindexed.removeFirst()
                indexProblem = nil
            } catch {
                indexProblem = "\(error)"
                return
            }
        }
    }

    private func startsNewGeneration() throws -> Bool {
        guard let current = generations.last else { return true }
        return current.index.load >= 0.5 || now().timeIntervalSince(current.started) >= Self.seconds(limits.retention) / 4
    }

    /// A new generation to append to, the old one sealed. Sized for what the last one's rate would put in a whole
    /// generation's time (a quarter of the retention), and at least twice what the last one took: every lookup of a
    /// new id reads each generation once, so generations that filled in minutes and doubled each time would make
    /// a dozen reads of each lookup within days (seen in a soak: the gateway's CPU per message crept up).
    private func startGeneration() throws {
        let previous = generations.last
        let time = now()
        var entries: UInt64 = 0
        if let previous {
            let taken = Double(previous.index.used)
            let elapsed = max(1, time.timeIntervalSince(previous.started))
            let atThatRate = UInt64(saturating: taken / elapsed * Self.seconds(limits.retention) / 4)
            entries = max(atThatRate, previous.index.used.multipliedReportingOverflow(by: 2).partialValue)
        }
        let generation = try ReceiptGeneration.create(
            directory: directory, number: (previous?.number ?? -1) + 1, started: time,
            slotCount: ReceiptGeneration.slotCount(for: entries, atLeast: limits.smallestIndex),
            hashKey: previous?.index.hashKeyBytes, writingTo: writePath)
        previous?.seal()
        generations.append(generation)
    }

    /// Drops the generations the next one started more than `retention` before now; looked at once a minute.
    private func expireNow() {
        let time = now()
        guard time.timeIntervalSince(lastExpiry) >= 60 else { return }
        lastExpiry = time
        let cutoff = time.addingTimeInterval(-Self.seconds(limits.retention))
        while generations.count > 1, generations[1].started < cutoff {
            generations.removeFirst().remove()
        }
    }

    private func rewriteSends() {
        let marks = open.union(interrupted).compactMap { key -> [UInt8]? in
            guard let separator = key.firstIndex(of: "\u{1F}") else { return nil }
            return Self.encode(SendMark(event: Self.sending, id: String(key[key.index(after: separator)...]), tenant: String(key[..<separator])))
        }
        _ = sends.rewrite(marks)
    }

    /// Why receipts or sends cannot be kept now, or nil.
    var problem: String? { sends.problem ?? generations.last?.log?.problem ?? indexProblem }

    /// The generations in `directory`, oldest first, the newest opened for appending.
    private static func openGenerations(in directory: String, writingTo writePath: String?) throws -> [ReceiptGeneration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw RecordFileError(path: directory, operation: "list it", reason: "\(error)")
        }
        let found = names.compactMap { name in ReceiptGeneration.parse(fileName: name).map { (name, $0.number, $0.started) } }
            .sorted { $0.1 < $1.1 }
        return try found.enumerated().map { position, generation in
            try ReceiptGeneration.open(
                logPath: directory + "/" + generation.0, number: generation.1, started: generation.2,
                appending: position == found.count - 1, writingTo: writePath
            ) { scan in
                var entries: [ReceiptGeneration.Entry] = []
                let decoder = JSONDecoder()
                try scan.forEachLine { bytes, offset in
                    guard let line = try? decoder.decode(Line.self, from: Data(bytes)) else { return }
                    entries.append(.init(key: DeliveryReceipt.idempotencyKey(tenantID: line.tenant, messageID: line.id), offset: offset))
                }
                return entries
            }
        }
    }

    private static func retire(_ legacyPath: String) throws {
        guard rename(legacyPath, legacyPath + ".imported") == 0 else {
            throw RecordFileError(path: legacyPath, operation: "rename it once imported", reason: String(cString: strerror(errno)))
        }
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }

    /// A receipt as a ``Line``, written directly: `JSONEncoder` here and for the send marks cost 7 % of the
    /// gateway's CPU flat out (profile in docs/benchmarks.md).
    private static func encode(_ receipt: DeliveryReceipt) -> [UInt8] {
        var line = JSONObjectWriter(capacity: 192)
        line.add("id", receipt.messageID)
        line.add("tenant", receipt.org.tenantID)
        line.add("org", receipt.org.orgName)
        line.add("genesysId", receipt.genesysMessageID)
        line.add("conversationId", receipt.conversationID)
        line.add("correlationId", receipt.correlationID)
        return line.finish()
    }

    private static func encode(_ mark: SendMark) -> [UInt8] {
        var line = JSONObjectWriter(capacity: 96)
        line.add("event", mark.event)
        line.add("id", mark.id)
        line.add("tenant", mark.tenant)
        return line.finish()
    }

    private static func receipt(_ line: Line) -> DeliveryReceipt {
        DeliveryReceipt(
            messageID: line.id, org: OrgKey(tenantID: line.tenant, orgName: line.org), genesysMessageID: line.genesysId,
            conversationID: line.conversationId, correlationID: line.correlationId, genesysDuration: .zero)
    }
}
