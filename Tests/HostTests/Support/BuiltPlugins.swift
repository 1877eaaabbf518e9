import Foundation
import Logging
@testable import Host

/// The plugin libraries `swift build` put beside the test bundle, copied into directories the tests control.
enum BuiltPlugins {
    static let text = "libGenesysPluginText.so"
    static let media = "libGenesysPluginMedia.so"
    static let defaultPolicy = "libGenesysPluginDefaultPolicy.so"
    static let typing = "libGenesysPluginTyping.so"
    static let shipped = [text, media, defaultPolicy, typing]

    static let noEntry = "libTestPluginNoEntry.so"
    static let wrongMajor = "libTestPluginWrongMajor.so"
    static let smallStruct = "libTestPluginSmallStruct.so"
    static let duplicateText = "libTestPluginDuplicateText.so"

    /// The build products folder: where the test binary itself lives.
    static var buildDirectory: String {
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
    static func directory(with libraries: [String]) -> TemporaryDirectory {
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
    static func shippedRegistry() -> (PluginRegistry, TemporaryDirectory) {
        let folder = directory(with: shipped)
        return (PluginLoader(logger: Logger(label: "test")).load(directory: folder.path), folder)
    }
}
