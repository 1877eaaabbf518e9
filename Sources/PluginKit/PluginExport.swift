#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PluginAPI

/// Turns a Swift ``SenderPlugin`` or ``ErrorPolicyPlugin`` into the C descriptor the host loads.
///
/// A Swift plugin exports its entry symbol in a few lines:
/// ```swift
/// @_cdecl("ggw_plugin_entry")
/// public func ggwPluginEntry(_ host: UnsafePointer<ggw_type_host_callbacks>?) -> UnsafeRawPointer? {
///     PluginExport.sender(TextSender.self, host: host)
/// }
/// ```
/// The descriptor and the strings it points to are allocated once and live for the process, as the ABI asks.
public enum PluginExport {
    /// Builds the descriptor for a sender plugin.
    public static func sender<P: SenderPlugin>(
        _ plugin: P.Type, host: UnsafePointer<ggw_type_host_callbacks>?
    ) -> UnsafeRawPointer? {
        let factory = PluginFactory.sender { settings, log throws(ValidationFailure) in
            try P(settingsJSON: settings, log: log)
        }
        var descriptor = baseDescriptor(name: P.name, version: P.version, kind: GGW_PLUGIN_KIND_SENDER, factory: factory)
        let types = P.messageTypes.map { UnsafePointer(strdup($0)) }
        let typeArray = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(types.count, 1))
        for (index, type) in types.enumerated() { typeArray[index] = type }
        descriptor.message_types = UnsafePointer(typeArray)
        descriptor.message_type_count = types.count
        descriptor.on_sender_build = senderBuild
        descriptor.on_sender_release = senderRelease
        return publish(descriptor)
    }

    /// Builds the descriptor for an error-policy plugin.
    public static func errorPolicy<P: ErrorPolicyPlugin>(
        _ plugin: P.Type, host: UnsafePointer<ggw_type_host_callbacks>?
    ) -> UnsafeRawPointer? {
        let factory = PluginFactory.policy { settings, log throws(ValidationFailure) in
            try P(settingsJSON: settings, log: log)
        }
        var descriptor = baseDescriptor(
            name: P.name, version: P.version, kind: GGW_PLUGIN_KIND_ERROR_POLICY, factory: factory)
        descriptor.on_policy_decide = policyDecide
        return publish(descriptor)
    }

    private static func baseDescriptor(
        name: String, version: String, kind: ggw_type_plugin_kind, factory: PluginFactory
    ) -> ggw_type_plugin_descriptor {
        var descriptor = ggw_type_plugin_descriptor()
        descriptor.struct_size = UInt32(MemoryLayout<ggw_type_plugin_descriptor>.size)
        descriptor.abi_major = UInt16(GGW_ABI_VERSION_MAJOR)
        descriptor.abi_minor = UInt16(GGW_ABI_VERSION_MINOR)
        descriptor.name = UnsafePointer(strdup(name))
        descriptor.version = UnsafePointer(strdup(version))
        descriptor.kind = Int32(kind.rawValue)
        descriptor.on_instance_create = instanceCreate
        descriptor.on_instance_destroy = instanceDestroy
        descriptor.plugin_context = Unmanaged.passRetained(factory).toOpaque()
        return descriptor
    }

    private static func publish(_ descriptor: ggw_type_plugin_descriptor) -> UnsafeRawPointer {
        let storage = UnsafeMutablePointer<ggw_type_plugin_descriptor>.allocate(capacity: 1)
        storage.initialize(to: descriptor)
        return UnsafeRawPointer(storage)
    }
}

/// Makes instances of one plugin type; the descriptor's `plugin_context` points at it.
final class PluginFactory: Sendable {
    enum Make: Sendable {
        case sender(@Sendable ([UInt8], PluginLogger) throws(ValidationFailure) -> any SenderPlugin)
        case policy(@Sendable ([UInt8], PluginLogger) throws(ValidationFailure) -> any ErrorPolicyPlugin)
    }

    let make: Make

    private init(_ make: Make) { self.make = make }

    static func sender(
        _ make: @escaping @Sendable ([UInt8], PluginLogger) throws(ValidationFailure) -> any SenderPlugin
    ) -> PluginFactory {
        PluginFactory(.sender(make))
    }

    static func policy(
        _ make: @escaping @Sendable ([UInt8], PluginLogger) throws(ValidationFailure) -> any ErrorPolicyPlugin
    ) -> PluginFactory {
        PluginFactory(.policy(make))
    }
}

/// One live instance; `void *instance` across the ABI is a retained pointer to it.
final class PluginInstance: Sendable {
    let sender: (any SenderPlugin)?
    let policy: (any ErrorPolicyPlugin)?

    init(sender: (any SenderPlugin)? = nil, policy: (any ErrorPolicyPlugin)? = nil) {
        self.sender = sender
        self.policy = policy
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> PluginInstance? {
        guard let pointer else { return nil }
        return Unmanaged<PluginInstance>.fromOpaque(pointer).takeUnretainedValue()
    }
}

// MARK: - The C entry points shared by every Swift plugin

private let instanceCreate: ggw_on_instance_create = { context, host, settings, outInstance, errorBuffer, errorLength in
    guard let context, let outInstance else { return 1 }
    let factory = Unmanaged<PluginFactory>.fromOpaque(context).takeUnretainedValue()
    let log = PluginLogger(host: host)
    let settingsBytes = CText.bytes(settings)
    do throws(ValidationFailure) {
        let instance: PluginInstance
        switch factory.make {
        case .sender(let make): instance = PluginInstance(sender: try make(settingsBytes, log))
        case .policy(let make): instance = PluginInstance(policy: try make(settingsBytes, log))
        }
        outInstance.pointee = Unmanaged.passRetained(instance).toOpaque()
        return 0
    } catch {
        let message = error.field.isEmpty ? error.reason : "\(error.field): \(error.reason)"
        CText.copy(message, into: errorBuffer, capacity: errorLength)
        return 1
    }
}

private let instanceDestroy: ggw_on_instance_destroy = { instance in
    guard let instance else { return }
    Unmanaged<PluginInstance>.fromOpaque(instance).release()
}

private let senderBuild: ggw_on_sender_build = { instance, context, message, out in
    guard let out else { return }
    guard let sender = PluginInstance.from(instance)?.sender, let context else {
        out.pointee.status = Int32(GGW_BUILD_INVALID.rawValue)
        CText.copy("plugin instance is not a sender", into: &out.pointee.error_reason)
        return
    }
    let orgContext = OrgContext(
        tenantID: CText.string(context.pointee.tenant_id),
        orgName: CText.string(context.pointee.org_name),
        integrationID: CText.string(context.pointee.integration_id))
    switch sender.buildRequest(message: CText.bytes(message), context: orgContext) {
    case .success(let request):
        RequestBuffer.fill(out, with: request)
    case .failure(let failure):
        out.pointee.status = Int32(GGW_BUILD_INVALID.rawValue)
        CText.copy(failure.field, into: &out.pointee.error_field)
        CText.copy(failure.reason, into: &out.pointee.error_reason)
    }
}

private let senderRelease: ggw_on_sender_release = { _, result in
    guard let result else { return }
    RequestBuffer.release(result)
}

private let policyDecide: ggw_on_policy_decide = { instance, response, out in
    guard let out, let response, let policy = PluginInstance.from(instance)?.policy else { return }
    let raw = response.pointee
    let decision = policy.decide(
        PolicyResponse(
            statusCode: Int(raw.status_code),
            transport: PolicyResponse.Transport(rawValue: raw.transport_error) ?? .other,
            retryAfterMilliseconds: raw.retry_after_ms >= 0 ? raw.retry_after_ms : nil,
            attempt: Int(raw.attempt),
            correlationID: CText.string(raw.correlation_id),
            body: CText.bytes(raw.body)))
    out.pointee.action = decision.action.rawValue
    out.pointee.retry_after_ms = decision.retryAfterMilliseconds ?? -1
    out.pointee.breaker_failure = decision.countsAsBreakerFailure ? 1 : 0
    CText.copy(decision.reason, into: &out.pointee.reason)
}
