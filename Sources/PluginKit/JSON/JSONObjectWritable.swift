/// A request body that writes itself with ``JSONObjectWriter``: the bodies sent once per message, where
/// `JSONEncoder` costs more than building them.
public protocol JSONObjectWritable {
    /// Adds the members, their keys in sorted order (as `JSONEncoder` with `.sortedKeys` writes them).
    func write(to object: inout JSONObjectWriter)
}

extension JSONObjectWritable {
    /// The whole object as JSON bytes.
    public var jsonBytes: [UInt8] {
        var object = JSONObjectWriter()
        write(to: &object)
        return object.finish()
    }
}
