import Foundation

/// A fresh directory under the system temp folder, removed when the value is released.
public final class TemporaryDirectory {
    public let path: String

    public init() {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("ggw-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `text` to `name` inside the directory and returns the file's path.
    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try! text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}
