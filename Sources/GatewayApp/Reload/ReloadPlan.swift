import Foundation
import GatewayConfig
import GatewayCore

/// What a reload puts in force, decided source by source against the tenants in force now. A source is a
/// tenant file, or one tenant of the tenant service's last good document (`tenant-service:<id>`).
///
/// - A valid source's tenant is applied (added or updated).
/// - A source that fails (YAML, structure, plugins, secrets, duplicate id) is reported, and the tenant it put in
///   force last time stays as it was; a failing source that never loaded is only reported.
/// - A tenant whose file is gone, or that the service no longer lists, is removed.
/// - Duplicate ids: the source a tenant is in force from keeps it; another source claiming the same id is
///   refused (sources new to the claim are taken files first, in name order, then the service's, as at start).
/// - A directory that cannot be read or holds no tenant file is reported and every tenant from files stays: an
///   empty directory is far more often a deploy half done than a wish to serve nobody.
struct ReloadPlan {
    /// Tenants from valid sources, to apply.
    var configs: [TenantConfig] = []
    /// Tenants whose source failed: they stay exactly as they are.
    var keeping: Set<String> = []
    var failedFiles: [ReloadReport.FailedFile] = []

    /// Reads every tenant file of `directory`, takes the tenants of `tenantService`, and checks them all
    /// against `validator`.
    /// - Parameter inForce: the tenants in force now, each knowing the source it came from.
    init(
        directory: String, loader: TenantConfigLoader, validator: TenantConfigValidator, inForce: [TenantConfig],
        tenantService: TenantServiceDocument? = nil
    ) {
        var inForceBySource: [String: TenantConfig] = [:]
        for tenant in inForce { inForceBySource[Self.key(tenant.source.path, tenant.source.origin)] = tenant }
        var candidates: [Candidate] = []
        var claims: [String: String] = [:]  // tenant id → source
        var settled: Set<String> = []  // sources decided in the first pass
        switch Self.files(in: directory, loader: loader) {
        case .success(let files):
            candidates = files.map { file in Candidate(file: file, loader: loader, validator: validator) }
        case .failure(let problem):
            let fromFiles = inForce.filter { $0.source.origin == .file }
            keeping = Set(fromFiles.map(\.id))
            for tenant in fromFiles { claims[tenant.id] = tenant.source.path }
            failedFiles = [.init(
                path: directory,
                errors: [ConfigError(path: directory, mark: nil, message: "\(problem.message); every tenant from files stays as it was").description],
                keptTenantId: nil, keptPreviousVersion: true)]
        }
        candidates += (tenantService?.tenants ?? []).map { Candidate(serviceTenant: $0, validator: validator) }

        // Failing sources hold on to the tenant they put in force; valid sources go on with theirs.
        for candidate in candidates {
            guard let old = inForceBySource[candidate.key] else { continue }
            if candidate.isValid, candidate.tenant?.id != old.id { continue }
            claims[old.id] = candidate.source
            settled.insert(candidate.key)
            if let tenant = candidate.tenant, candidate.isValid {
                configs.append(tenant)
            } else {
                keeping.insert(old.id)
                failedFiles.append(.init(path: candidate.source, errors: candidate.errors, keptTenantId: old.id))
            }
        }
        // New claims: files in name order, then the service's tenants in its order.
        for candidate in candidates where !settled.contains(candidate.key) {
            let old = inForceBySource[candidate.key]
            guard let tenant = candidate.tenant, candidate.isValid else {
                failedFiles.append(.init(path: candidate.source, errors: candidate.errors, keptTenantId: nil))
                continue
            }
            if let other = claims[tenant.id] {
                let duplicate = ConfigError(
                    path: candidate.source, mark: tenant.source.tenantMark,
                    message: "duplicate tenant id '\(tenant.id)': already defined in \(other)")
                // The source's own previous tenant stays, unless another source has taken its id meanwhile.
                let kept = old.flatMap { claims[$0.id] == nil ? $0.id : nil }
                if let kept {
                    claims[kept] = candidate.source
                    keeping.insert(kept)
                }
                failedFiles.append(.init(path: candidate.source, errors: [duplicate.description], keptTenantId: kept))
                continue
            }
            claims[tenant.id] = candidate.source
            configs.append(tenant)
        }
        refuseSharedKeys(inForce: inForce, validator: validator)
        failedFiles.sort { $0.path < $1.path }
    }

    /// A tenant whose file now names an API key another tenant already holds is refused (its previous version
    /// stays): one key must pick one tenant, and a new file must not lock the holder out. Keys are compared as
    /// resolved (``TenantConfigValidator/resolvedAPIKeys(of:)``): two references may hold one key.
    private mutating func refuseSharedKeys(inForce: [TenantConfig], validator: TenantConfigValidator) {
        let previous = Dictionary(inForce.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var holders: [Secret: String] = [:]
        // Keys already held stay with their holder; new keys go to the first tenant in file order.
        for tenant in configs + inForce.filter({ keeping.contains($0.id) }) {
            guard let earlier = previous[tenant.id] else { continue }
            let keys = Set(validator.resolvedAPIKeys(of: tenant).map(\.key))
            for held in validator.resolvedAPIKeys(of: earlier) where keys.contains(held.key) {
                holders[held.key] = holders[held.key] ?? tenant.id
            }
        }
        var refused: [TenantConfig] = []
        for tenant in configs {
            let keys = validator.resolvedAPIKeys(of: tenant)
            let taken = keys.filter { holders[$0.key].map { $0 != tenant.id } ?? false }
            if taken.isEmpty {
                for (_, key) in keys { holders[key] = tenant.id }
                continue
            }
            refused.append(tenant)
            let old = previous[tenant.id]
            if old != nil { keeping.insert(tenant.id) }
            failedFiles.append(.init(
                path: tenant.source.path,
                errors: taken.map { reference, key in
                    ConfigError(
                        path: tenant.source.path, mark: nil,
                        message: "API key \(reference) is already tenant '\(holders[key] ?? "")'s (it holds the same key)").description
                },
                keptTenantId: old?.id))
        }
        configs.removeAll { tenant in refused.contains { $0.id == tenant.id } }
    }

    /// Why a directory gives no tenant files.
    private struct DirectoryProblem: Error {
        var message: String
    }

    /// The tenant files of `directory`; a failure when it cannot be read or holds none.
    private static func files(in directory: String, loader: TenantConfigLoader) -> Result<[String], DirectoryProblem> {
        guard let files = try? loader.tenantFiles(in: directory) else {
            return .failure(DirectoryProblem(message: "cannot read the config directory"))
        }
        guard !files.isEmpty else { return .failure(DirectoryProblem(message: "no tenant files (*.yaml) found")) }
        return .success(files)
    }

    /// One source, read and checked.
    private struct Candidate {
        /// The file's path, or `tenant-service:<tenant>`.
        var source: String
        /// The source as in-force tenants are matched to it.
        var key: String
        var tenant: TenantConfig?
        var errors: [String]
        var isValid: Bool { tenant != nil && errors.isEmpty }

        init(file: String, loader: TenantConfigLoader, validator: TenantConfigValidator) {
            source = file
            key = ReloadPlan.key(file, .file)
            let (tenant, problems) = loader.loadFile(file)
            var errors = problems
            if let tenant, problems.isEmpty { errors = validator.problems(in: tenant) }
            self.tenant = tenant
            self.errors = errors.sorted(by: ConfigError.inReadingOrder).map(\.description)
        }

        init(serviceTenant: TenantServiceTenant, validator: TenantConfigValidator) {
            source = serviceTenant.source
            key = ReloadPlan.key(serviceTenant.source, .tenantService)
            tenant = serviceTenant.tenant
            errors = serviceTenant.problems(validatedBy: validator).sorted(by: ConfigError.inReadingOrder).map(\.description)
        }
    }

    /// A source as in-force tenants are matched to it: a file however its path was spelled, a service tenant by name.
    private static func key(_ path: String, _ origin: ConfigSource.Origin) -> String {
        origin == .file ? canonical(path) : path
    }

    /// The same file however its path was spelled (relative or absolute, `.` and `..`).
    private static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
