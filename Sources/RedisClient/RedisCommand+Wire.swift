import CHiredis

extension RedisCommand {
    /// The command in RESP, as hiredis' `redisFormatCommandArgv` writes it (an array of bulk strings: binary-safe,
    /// no format string involved). Nil when the command is empty or hiredis cannot format it.
    var wireBytes: [UInt8]? {
        guard !arguments.isEmpty, let count = Int32(exactly: arguments.count) else { return nil }
        // One contiguous buffer for every argument, plus a trailing byte so its base address is never nil.
        var flat: [UInt8] = []
        var offsets: [Int] = []
        for argument in arguments {
            offsets.append(flat.count)
            flat.append(contentsOf: argument)
        }
        flat.append(0)
        let lengths = arguments.map(\.count)
        return flat.withUnsafeBufferPointer { buffer -> [UInt8]? in
            guard let base = buffer.baseAddress else { return nil }
            let raw = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
            var argv: [UnsafePointer<CChar>?] = offsets.map { raw + $0 }
            var target: UnsafeMutablePointer<CChar>?
            let length = redisFormatCommandArgv(&target, count, &argv, lengths)
            guard let target else { return nil }
            defer { redisFreeCommand(target) }
            guard length >= 0, let size = Int(exactly: length) else { return nil }
            return Array(UnsafeRawBufferPointer(start: target, count: size))
        }
    }
}
