import Foundation

/// The process's memory and CPU use at one moment: RSS and its peak from `/proc/self/status`, CPU time
/// from `getrusage`, and CPU time per thread from `/proc/self/task/*/stat` (to see which threads work).
///
/// The sandbox runs in the same process, so these figures are gateway and sandbox together; the
/// per-thread split tells them apart where thread names allow (`NIO-*` are the sandbox's event loops;
/// the gateway's libcurl loop thread carries the name of the pool thread that started it).
struct ProcessUsage: Sendable {
    /// Resident set size, KiB (`VmRSS`).
    let residentKiB: Int?
    /// Peak resident set size, KiB (`VmHWM`).
    let peakResidentKiB: Int?
    /// User and system CPU time of the whole process, seconds.
    let userSeconds: Double
    let systemSeconds: Double
    /// CPU seconds (user + system) per thread id, with the thread's name.
    let threads: [Int: (name: String, seconds: Double)]
    /// Busy CPU seconds of the whole machine, all processes (`/proc/stat`: everything but idle and
    /// iowait), to tell how much other processes ran beside the benchmark on a shared machine.
    let machineBusySeconds: Double?

    static func now() -> ProcessUsage {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return ProcessUsage(
            residentKiB: kibibytes("VmRSS", in: status), peakResidentKiB: kibibytes("VmHWM", in: status),
            userSeconds: seconds(usage.ru_utime), systemSeconds: seconds(usage.ru_stime), threads: threadTimes(),
            machineBusySeconds: machineBusy())
    }

    var cpuSeconds: Double { userSeconds + systemSeconds }

    /// CPU seconds per thread spent between `earlier` and this snapshot, largest first, named
    /// `name[tid]`. (A thread started from a pool thread inherits its name unless it sets its own.)
    func threadTimes(since earlier: ProcessUsage) -> [(name: String, seconds: Double)] {
        threads.map { tid, thread in ("\(thread.name)[\(tid)]", max(0, thread.seconds - (earlier.threads[tid]?.seconds ?? 0))) }
            .filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
    }

    /// The aggregate `cpu` line of `/proc/stat`: user nice system idle iowait irq softirq steal …
    private static func machineBusy() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        else { return nil }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 8 else { return nil }
        let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
        return busy / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func kibibytes(_ key: String, in status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix(key + ":") {
            return Int(line.dropFirst(key.count + 1).split(whereSeparator: \.isWhitespace).first ?? "")
        }
        return nil
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1e6
    }

    private static func threadTimes() -> [Int: (name: String, seconds: Double)] {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var result: [Int: (name: String, seconds: Double)] = [:]
        for task in tasks {
            guard let tid = Int(task),
                let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            let name = String(stat[stat.index(after: open)..<close])
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            result[tid] = (name, (user + system) / ticks)
        }
        return result
    }
}
