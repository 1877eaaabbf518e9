import ArgumentParser

/// The executable: bound the allocator's arenas, then hand over to the command line (each command sets up its
/// logging from its `--log-level` and `--log-format`, ``LoggingOptions``).
@main
struct GatewayMain {
    static func main() async {
        HeapReturn.limitArenas()
        await GatewayCommand.main()
    }
}
