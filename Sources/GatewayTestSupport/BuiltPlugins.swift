import Foundation
import Logging
import PluginHost

/// The plugin libraries `swift build` put beside the test bundle, copied into directories the tests control.
public enum BuiltPlugins {
    public static let text = "libGenesysPluginText.so"
    public static let media = "libGenesysPluginMedia.so"
    public static let defaultPolicy = "libGenesysPluginDefaultPolicy.so"
    public static let typing = "libGenesysPluginTyping.so"
    public static let receipt = "libGenesysPluginReceipt.so"
    public static let buttonResponse = "libGenesysPluginButtonResponse.so"
    public static let shipped = [text, media, defaultPolicy, typing, receipt, buttonResponse]

    public static let noEntry = "libTestPluginNoEntry.so"
    public static let wrongMajor = "libTestPluginWrongMajor.so"
    public static let smallStruct = "libTestPluginSmallStruct.so"
    public static let duplicateText = "libTestPluginDuplicateText.so"

    /// The build products folder: `GGW_BUILD_DIR` when set (the tools package's executables are built apart from
    /// the gateway and its plugins: scripts/bench/build-tools.sh sets it), else where the test binary itself lives.
    public static var buildDirectory: String {
        if let directory = ProcessInfo.processInfo.environment["GGW_BUILD_DIR"], !directory.isEmpty { return directory }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var directory = (executable as NSString).deletingLastPathComponent
        // On Linux the binary sits in `<build>/debug/`; with an `.xctest` bundle it is one level deeper.
        while directory.hasSuffix(".xctest") || !FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(text)) {
            let parent = (directory as NSString).deletingLastPathComponent
            if parent == directory { break }
            directory = parent
        }
        return directory
    }

    /// A temporary plugins directory holding copies of `libraries`.
    public static func directory(with libraries: [String]) -> TemporaryDirectory {
        let folder = TemporaryDirectory()
        for library in libraries {
            let source = (buildDirectory as NSString).appendingPathComponent(library)
            let target = (folder.path as NSString).appendingPathComponent(library)
            try! FileManager.default.copyItem(atPath: source, toPath: target)
            chmod(target, 0o755)
        }
        return folder
    }

    /// The shipped plugins, loaded.
    public static func shippedRegistry() -> (PluginRegistry, TemporaryDirectory) {
        let folder = directory(with: shipped)
        return (PluginLoader(logger: Logger(label: "test")).load(directory: folder.path), folder)
    }
}
