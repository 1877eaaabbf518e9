import PluginAPI
public import PluginKit

/// One configured instance of a sender plugin. Owns the plugin's instance handle and destroys it in `deinit`.
public final class SenderInstance: @unchecked Sendable {
    // The ABI requires plugins to accept concurrent calls on one instance; the handle itself never changes.
    private let instance: UnsafeMutableRawPointer?
    private let buildFunction: ggw_on_sender_build
    private let releaseFunction: ggw_on_sender_release
    private let destroyFunction: ggw_on_instance_destroy?
    public let plugin: String

    init(
        plugin: String, instance: UnsafeMutableRawPointer?, build: @escaping ggw_on_sender_build,
        release: @escaping ggw_on_sender_release, destroy: ggw_on_instance_destroy?
    ) {
        self.plugin = plugin
        self.instance = instance
        self.buildFunction = build
        self.releaseFunction = release
        self.destroyFunction = destroy
    }

    deinit {
        destroyFunction?(instance)
    }

    /// Asks the plugin to validate `message` and build the Genesys request for it.
    public func buildRequest(message: [UInt8], context: OrgContext) -> Result<PluginRequest, ValidationFailure> {
        var result = ggw_type_build_result()
        result.struct_size = UInt32(MemoryLayout<ggw_type_build_result>.size)
        var tenant = context.tenantID, org = context.orgName, integration = context.integrationID
        tenant.withUTF8 { tenantBytes in
            org.withUTF8 { orgBytes in
                integration.withUTF8 { integrationBytes in
                    var orgContext = ggw_type_org_context()
                    orgContext.struct_size = UInt32(MemoryLayout<ggw_type_org_context>.size)
                    orgContext.tenant_id = Self.str(tenantBytes)
                    orgContext.org_name = Self.str(orgBytes)
                    orgContext.integration_id = Self.str(integrationBytes)
                    message.withUnsafeBufferPointer { messageBytes in
                        buildFunction(instance, &orgContext, Self.str(messageBytes), &result)
                    }
                }
            }
        }
        switch result.status {
        case Int32(GGW_BUILD_OK.rawValue):
            break
        case Int32(GGW_BUILD_INVALID.rawValue):
            return .failure(ValidationFailure(
                field: PluginText.fixedString(&result.error_field),
                reason: PluginText.fixedString(&result.error_reason)))
        default:
            return .failure(ValidationFailure(field: "", reason: "sender plugin '\(plugin)' returned unknown status \(result.status)"))
        }
        defer { releaseFunction(instance, &result) }
        guard result.method.len > 0, result.path.len > 0 else {
            return .failure(ValidationFailure(field: "", reason: "sender plugin '\(plugin)' returned no method or path"))
        }
        return .success(PluginRequest(
            method: PluginText.string(result.method), path: PluginText.string(result.path),
            body: PluginText.bytes(result.body)))
    }

    private static func str(_ bytes: UnsafeBufferPointer<UInt8>) -> ggw_type_str {
        ggw_type_str(ptr: UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self), len: bytes.count)
    }
}
