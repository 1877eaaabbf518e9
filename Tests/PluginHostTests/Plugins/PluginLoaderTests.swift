import Foundation
import Logging
import GatewayTestSupport
import Testing
@testable import PluginHost

/// The loader against real `.so` files built by this package, broken ones included.
@Suite struct PluginLoaderTests {
    let loader = PluginLoader(logger: Logger(label: "test"))

    @Test func loadsTheShippedPluginsWithTheirABIVersions() {
        let (registry, _) = BuiltPlugins.shippedRegistry()
        #expect(registry.errors == [])
        #expect(registry.plugins.map(\.name).sorted() == ["buttonResponse", "default", "media", "receipt", "text", "typing"])
        #expect(registry.plugins.allSatisfy { $0.abiMajor == PluginABI.major && $0.abiMinor == PluginABI.minor })
        #expect(registry.sender(for: "text")?.name == "text")
        #expect(registry.sender(for: "image")?.name == "media")
        #expect(registry.sender(for: "typing")?.name == "typing")
        #expect(registry.errorPolicy(named: "default")?.kind == .errorPolicy)
        #expect(registry.errorPolicy(named: "text") == nil)
    }

    @Test func brokenPluginsAreRefusedByNameWhileTheRestLoad() {
        let folder = BuiltPlugins.directory(with: BuiltPlugins.shipped + [
            BuiltPlugins.noEntry, BuiltPlugins.wrongMajor, BuiltPlugins.smallStruct, BuiltPlugins.duplicateText,
        ])
        let registry = loader.load(directory: folder.path)
        #expect(registry.plugins.map(\.name).sorted() == ["buttonResponse", "default", "media", "receipt", "text", "typing"])
        let errors = Dictionary(uniqueKeysWithValues: registry.errors.map { (($0.file as NSString).lastPathComponent, $0) })
        #expect(errors.count == 4)
        #expect(errors[BuiltPlugins.noEntry]?.reason == .missingEntrySymbol)
        #expect(errors[BuiltPlugins.wrongMajor]?.reason == .abiMajorMismatch(plugin: PluginABI.major + 1, host: PluginABI.major))
        #expect(errors[BuiltPlugins.smallStruct].map { if case .descriptorTooSmall = $0.reason { true } else { false } } == true)
        // "libTestPluginDuplicateText.so" sorts after "libGenesysPluginText.so", so the shipped one keeps "text".
        #expect(errors[BuiltPlugins.duplicateText]?.reason == .duplicateMessageType("text", firstPlugin: "text"))
        #expect(errors[BuiltPlugins.wrongMajor]?.description == "plugin \(folder.path)/\(BuiltPlugins.wrongMajor): built for plugin ABI major \(PluginABI.major + 1), this host speaks major \(PluginABI.major)")
    }

    @Test(arguments: [0o777, 0o775, 0o664])
    func librariesOthersCanWriteAreRefused(_ mode: Int) {
        let folder = BuiltPlugins.directory(with: [BuiltPlugins.text])
        let path = folder.path + "/" + BuiltPlugins.text
        chmod(path, mode_t(mode))
        guard case .failure(let error) = loader.loadFile(path) else {
            Issue.record("a plugin with mode \(String(mode, radix: 8)) loaded")
            return
        }
        #expect(error.reason == .writableByOthers)
    }

    /// Needs root (as the test command runs, docs/testing.md): only root can give a file to another user. Run
    /// as anyone else it fails, saying so, rather than pass without trying.
    @Test func aLibraryOwnedByAnotherUserIsRefusedAsRoot() throws {
        try #require(geteuid() == 0, "needs root: only root can chown the plugin to another user (uid \(geteuid()) here); run the tests as root, as scripts/test.sh does")
        let folder = BuiltPlugins.directory(with: [BuiltPlugins.text])
        let path = folder.path + "/" + BuiltPlugins.text
        // uid 65534 (nobody) is someone other than root.
        try #require(chown(path, 65534, 65534) == 0, "chown to uid 65534 failed as root: errno \(errno)")
        guard case .failure(let error) = loader.loadFile(path) else {
            Issue.record("another user's plugin loaded")
            return
        }
        #expect(error.reason == .ownedByAnotherUser(uid: 65534))
    }

    @Test func aDirectoryOthersCanWriteLoadsNothing() {
        let folder = BuiltPlugins.directory(with: BuiltPlugins.shipped)
        chmod(folder.path, 0o777)
        let registry = loader.load(directory: folder.path)
        #expect(registry.plugins.isEmpty)
        #expect(registry.errors == [PluginLoadError(file: folder.path, reason: .writableByOthers)])
    }

    @Test func aDirectoryIsNotAPlugin() {
        let folder = TemporaryDirectory()
        let path = folder.path + "/libDirectory.so"
        mkdir(path, 0o755)
        guard case .failure(let error) = loader.loadFile(path) else {
            Issue.record("a directory loaded as a plugin")
            return
        }
        #expect(error.reason == .notARegularFile)
    }

    @Test func aFileThatIsNotALibrarySaysWhyDlopenFailed() {
        let folder = TemporaryDirectory()
        let path = folder.write("libNotReally.so", "this is text")
        chmod(path, 0o644)
        guard case .failure(let error) = loader.loadFile(path), case .dlopenFailed(let message) = error.reason else {
            Issue.record("a text file loaded as a plugin")
            return
        }
        #expect(message.contains("libNotReally.so"))
    }

    @Test func instancesRefuseSettingsTheyDoNotKnow() throws {
        let (registry, _) = BuiltPlugins.shippedRegistry()
        let policy = try #require(registry.errorPolicy(named: "default"))
        #expect(throws: PluginInstanceError(plugin: "default", message: "refused its settings: surprise: unknown setting 'surprise' (known: none)")) {
            try policy.makePolicy(settingsJSON: #"{"surprise": true}"#)
        }
        #expect(throws: PluginInstanceError(plugin: "default", message: "is not a sender")) {
            try policy.makeSender()
        }
    }
}
