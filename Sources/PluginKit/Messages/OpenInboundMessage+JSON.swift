// The inbound message bodies written directly, keys sorted: the same bytes `JSONEncoder` with `.sortedKeys`
// and `.withoutEscapingSlashes` writes (OpenInboundMessageJSONTests holds them to it).

extension OpenInboundNormalizedMessage: JSONObjectWritable {
    public func write(to object: inout JSONObjectWriter) {
        object.addObject("channel") { channel.write(to: &$0) }
        object.addList("content", content) { $0.write(to: &$1) }
        object.add("metadata", metadata)
        object.add("text", text)
    }
}

extension OpenInboundMessageMessagingChannel: JSONObjectWritable {
    public func write(to object: inout JSONObjectWriter) {
        object.addObject("from") { from.write(to: &$0) }
        object.add("messageId", messageId)
        object.add("time", time)
    }
}

extension OpenMessagingFromRecipient: JSONObjectWritable {
    public func write(to object: inout JSONObjectWriter) {
        object.add("email", email)
        object.add("firstName", firstName)
        object.add("id", id)
        object.add("idType", idType)
        object.add("image", image)
        object.add("lastName", lastName)
        object.add("nickname", nickname)
    }
}

extension OpenInboundMessageContent: JSONObjectWritable {
    public func write(to object: inout JSONObjectWriter) {
        object.addObject("attachment") { attachment.write(to: &$0) }
    }
}

extension OpenContentAttachment: JSONObjectWritable {
    public func write(to object: inout JSONObjectWriter) {
        object.add("filename", filename)
        object.add("id", id)
        object.add("mediaType", mediaType)
        object.add("mime", mime)
        object.add("sha256", sha256)
        object.add("text", text)
        object.add("url", url)
    }
}
