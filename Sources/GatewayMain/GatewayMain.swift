import ArgumentParser
import Logging

/// The executable: choose the logging backend, then hand over to the command line.
@main
struct GatewayMain {
    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        await GatewayCommand.main()
    }
}
