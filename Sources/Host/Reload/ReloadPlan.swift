import Foundation

/// What a reload puts in force, decided file by file against the tenants in force now.
///
/// - A valid file's tenant is applied (added or updated).
/// - A file that fails (YAML, structure, plugins, secrets, duplicate id) is reported, and the tenant it put in
///   force last time stays as it was; a failing file that never loaded is only reported.
/// - A tenant whose file is gone is removed.
/// - Duplicate ids: the file a tenant is in force from keeps it; another file claiming the same id is refused
///   (files new to the claim are taken in name order, as at start).
/// - A directory that cannot be read or holds no tenant file is reported and every tenant stays: an empty
///   directory is far more often a deploy half done than a wish to serve nobody.
struct ReloadPlan {
    /// Tenants from valid files, to apply.
    var configs: [TenantConfig] = []
    /// Tenants whose file failed: they stay exactly as they are.
    var keeping: Set<String> = []
    var failedFiles: [ReloadReport.FailedFile] = []

    /// Reads every tenant file of `directory` and checks it against `validator`.
    /// - Parameter inForce: the tenants in force now, each knowing the file it came from.
    init(directory: String, loader: TenantConfigLoader, validator: TenantConfigValidator, inForce: [TenantConfig]) {
        let files: [String]
        do {
            files = try loader.tenantFiles(in: directory)
        } catch {
            keepAll(inForce, directory: directory, problem: "cannot read the config directory")
            return
        }
        guard !files.isEmpty else {
            keepAll(inForce, directory: directory, problem: "no tenant files (*.yaml) found")
            return
        }
        var inForceByFile: [String: TenantConfig] = [:]
        for tenant in inForce { inForceByFile[Self.canonical(tenant.source.path)] = tenant }
        let candidates = files.map { file in Candidate(file: file, loader: loader, validator: validator) }
        var claims: [String: String] = [:]  // tenant id → file
        var settled: Set<String> = []  // files decided in the first pass

        // Failing files hold on to the tenant they put in force; valid files go on with theirs.
        for candidate in candidates {
            guard let old = inForceByFile[Self.canonical(candidate.file)] else { continue }
            if candidate.isValid, candidate.tenant?.id != old.id { continue }
            claims[old.id] = candidate.file
            settled.insert(candidate.file)
            if let tenant = candidate.tenant, candidate.isValid {
                configs.append(tenant)
            } else {
                keeping.insert(old.id)
                failedFiles.append(.init(path: candidate.file, errors: candidate.errors, keptTenantId: old.id))
            }
        }
        // New claims, in name order.
        for candidate in candidates where !settled.contains(candidate.file) {
            let old = inForceByFile[Self.canonical(candidate.file)]
            guard let tenant = candidate.tenant, candidate.isValid else {
                failedFiles.append(.init(path: candidate.file, errors: candidate.errors, keptTenantId: nil))
                continue
            }
            if let other = claims[tenant.id] {
                let duplicate = ConfigError(
                    path: candidate.file, mark: tenant.source.idMark,
                    message: "duplicate tenant id '\(tenant.id)': already defined in \(other)")
                // The file's own previous tenant stays, unless another file has taken its id meanwhile.
                let kept = old.flatMap { claims[$0.id] == nil ? $0.id : nil }
                if let kept {
                    claims[kept] = candidate.file
                    keeping.insert(kept)
                }
                failedFiles.append(.init(path: candidate.file, errors: [duplicate.description], keptTenantId: kept))
                continue
            }
            claims[tenant.id] = candidate.file
            configs.append(tenant)
        }
        refuseSharedKeys(inForce: inForce)
        failedFiles.sort { $0.path < $1.path }
    }

    /// A tenant whose file now names an API key another tenant already holds is refused (its previous version
    /// stays): one key must pick one tenant, and a new file must not lock the holder out.
    private mutating func refuseSharedKeys(inForce: [TenantConfig]) {
        let previous = Dictionary(inForce.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var holders: [SecretReference: String] = [:]
        // Keys already held stay with their holder; new keys go to the first tenant in file order.
        for tenant in configs + inForce.filter({ keeping.contains($0.id) }) {
            for key in previous[tenant.id]?.apiKeys ?? [] where tenant.apiKeys.contains(key) { holders[key] = holders[key] ?? tenant.id }
        }
        var refused: [TenantConfig] = []
        for tenant in configs {
            let taken = tenant.apiKeys.filter { key in holders[key].map { $0 != tenant.id } ?? false }
            if taken.isEmpty {
                for key in tenant.apiKeys { holders[key] = tenant.id }
                continue
            }
            refused.append(tenant)
            let old = previous[tenant.id]
            if old != nil { keeping.insert(tenant.id) }
            failedFiles.append(.init(
                path: tenant.source.path,
                errors: taken.map { key in
                    ConfigError(path: tenant.source.path, mark: nil, message: "API key \(key) is already tenant '\(holders[key] ?? "")'s").description
                },
                keptTenantId: old?.id))
        }
        configs.removeAll { tenant in refused.contains { $0.id == tenant.id } }
    }

    private mutating func keepAll(_ inForce: [TenantConfig], directory: String, problem: String) {
        keeping = Set(inForce.map(\.id))
        failedFiles = [.init(
            path: directory, errors: [ConfigError(path: directory, mark: nil, message: "\(problem); every tenant stays as it was").description],
            keptTenantId: nil, keptPreviousVersion: true)]
    }

    /// One file, read and checked.
    private struct Candidate {
        var file: String
        var tenant: TenantConfig?
        var errors: [String]
        var isValid: Bool { tenant != nil && errors.isEmpty }

        init(file: String, loader: TenantConfigLoader, validator: TenantConfigValidator) {
            self.file = file
            let (tenant, problems) = loader.loadFile(file)
            var errors = problems
            if let tenant, problems.isEmpty { errors = validator.problems(in: tenant) }
            self.tenant = tenant
            self.errors = errors.sorted { ($0.mark?.line ?? 0, $0.mark?.column ?? 0) < ($1.mark?.line ?? 0, $1.mark?.column ?? 0) }
                .map(\.description)
        }
    }

    /// The same file however its path was spelled (relative or absolute, `.` and `..`).
    private static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
