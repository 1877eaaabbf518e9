import Foundation
public import GatewayYAML

/// The tenant service's answer: `{"tenants": [ tenant, … ]}`, each tenant with the fields of a tenant file
/// (schemas/tenant-service.schema.json).
///
/// A document that is not that shape is refused as a whole. Inside a good document each tenant stands
/// alone: one that fails is reported as `tenant-service:<tenant>:<field path>: message` and the others
/// still load, as with files.
public struct TenantServiceDocument: Sendable {
    /// What a tenant's ``ConfigSource/path`` starts with when it came from the service.
    public static let sourcePrefix = "tenant-service:"

    public var tenants: [TenantServiceTenant]

    /// Reads a document.
    /// - Parameters:
    ///   - json: the answer's body.
    ///   - url: where it came from (for errors; credentials taken out).
    ///   - literalSecrets: whether tenants may carry secret values (decided by the URL).
    public init(
        json: [UInt8], url: String, literalSecrets: LiteralSecretPolicy, limits: YAMLLimits = YAMLLimits()
    ) throws(TenantServiceError) {
        func invalid(_ message: String) -> TenantServiceError {
            TenantServiceError(kind: .invalidDocument, url: url, message: message)
        }
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: Data(json))
        } catch {
            // The decoder's own text may quote the answer, secrets and all.
            throw invalid("the answer is not valid JSON")
        }
        guard case .object(let members) = root else { throw invalid("the answer must be a JSON object {\"tenants\": [...]}") }
        if let unknown = members.first(where: { $0.key != "tenants" }) {
            throw invalid("unknown member '\(unknown.key)' in the document (known: tenants)")
        }
        guard case .array(let items)? = root["tenants"] else { throw invalid("the document's 'tenants' must be a list of tenants") }
        var seen: [String: Int] = [:]
        tenants = items.enumerated().map { index, item in
            let id = Self.identifier(of: item)
            let first = id.flatMap { seen[$0] }
            if let id, first == nil { seen[id] = index }
            // A repeated id is named by position, so it can never be taken for the first one's source.
            let source = Self.sourcePrefix + (first == nil ? (id ?? "tenants[\(index)]") : "tenants[\(index)]")
            let tenant = TenantServiceTenant(item, source: source, literalSecrets: literalSecrets, limits: limits)
            guard let id, let first else { return tenant }
            return tenant.refused("duplicate tenant id '\(id)' in the document: tenants[\(first)] has it already")
        }
    }

    /// The tenant's id when it is one (letters, digits, '-', '_'); nil otherwise.
    private static func identifier(of tenant: JSONValue) -> String? {
        guard case .string(let id)? = tenant["id"], TenantConfigDecoder.isIdentifier(id) else { return nil }
        return id
    }
}

/// One tenant of the service's document, decoded by the tenant file rules.
public struct TenantServiceTenant: Sendable {
    /// `tenant-service:<id>`, or `tenant-service:tenants[<index>]` when the id is missing, bad or repeated.
    public let source: String
    /// The tenant, or nil when it did not decode.
    public let tenant: TenantConfig?
    /// What decoding found, by field path.
    public let decodeErrors: [ConfigError]
    /// Turns the decoder's marks into field paths; nil when the tenant was too large to read.
    private let tree: JSONTenantTree?

    init(_ value: JSONValue, source: String, literalSecrets: LiteralSecretPolicy, limits: YAMLLimits) {
        self.source = source
        let diagnostics = ConfigDiagnostics(path: source)
        do {
            let tree = try JSONTenantTree(value, limits: limits)
            var decoder = TenantConfigDecoder(diagnostics: diagnostics)
            decoder.literalSecrets = literalSecrets
            decoder.rootName = "tenant"
            decoder.origin = .tenantService
            tenant = decoder.decode(tree.root)
            self.tree = tree
            decodeErrors = diagnostics.errors.map { Self.placed($0, source: source, tree: tree) }
        } catch {
            tenant = nil
            tree = nil
            decodeErrors = [ConfigError(path: source, mark: nil, message: error.message)]
        }
    }

    private init(source: String, tenant: TenantConfig?, decodeErrors: [ConfigError], tree: JSONTenantTree?) {
        self.source = source
        self.tenant = tenant
        self.decodeErrors = decodeErrors
        self.tree = tree
    }

    /// The same tenant refused as a whole with `message`.
    func refused(_ message: String) -> TenantServiceTenant {
        TenantServiceTenant(
            source: source, tenant: nil, decodeErrors: decodeErrors + [ConfigError(path: source, mark: nil, message: message)],
            tree: tree)
    }

    /// Every problem of this tenant: its decoding errors, or else what `validator` finds (plugins,
    /// secrets), by field path.
    public func problems(validatedBy validator: TenantConfigValidator) -> [ConfigError] {
        guard let tenant, decodeErrors.isEmpty else { return decodeErrors }
        return validator.problems(in: tenant).map { error in
            // The validator points problems of the tenant as a whole at its id; the source names the tenant already.
            Self.placed(error, source: source, tree: error.mark == tenant.source.idMark ? nil : tree)
        }
    }

    private static func placed(_ error: ConfigError, source: String, tree: JSONTenantTree?) -> ConfigError {
        ConfigError(path: source, mark: nil, field: tree?.field(at: error.mark), message: error.message)
    }
}
