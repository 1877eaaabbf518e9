import ArgumentParser
import Logging

/// The executable: bound the allocator's arenas, choose the logging backend, then hand over to the command line.
@main
struct GatewayMain {
    static func main() async {
        HeapReturn.limitArenas()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        await GatewayCommand.main()
    }
}
