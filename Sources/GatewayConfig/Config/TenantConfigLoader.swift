import Foundation
public import GatewayYAML

/// What loading a config directory produced: the tenants that are fine, and every problem found.
public struct TenantConfigReport: Sendable {
    public var tenants: [TenantConfig]
    public var errors: [ConfigError]
    /// Files read, in the order read.
    public var files: [String]

    public var isValid: Bool { errors.isEmpty }
}

/// Reads every `*.yaml` / `*.yml` file of a directory as one tenant each.
///
/// A broken file is reported and left out; the other tenants still load. Two files with the same tenant id
/// are both reported and the later one (by file name) is left out.
public struct TenantConfigLoader: Sendable {
    public var limits: YAMLLimits

    public init(limits: YAMLLimits = YAMLLimits()) {
        self.limits = limits
    }

    public func load(directory: String) -> TenantConfigReport {
        let files: [String]
        do {
            files = try tenantFiles(in: directory)
        } catch {
            return TenantConfigReport(
                tenants: [], errors: [ConfigError(path: directory, mark: nil, message: "cannot read the config directory")],
                files: [])
        }
        var report = TenantConfigReport(tenants: [], errors: [], files: files)
        if files.isEmpty {
            report.errors.append(ConfigError(path: directory, mark: nil, message: "no tenant files (*.yaml) found"))
        }
        var firstFileForID: [String: String] = [:]
        for file in files {
            let (tenant, errors) = loadFile(file)
            report.errors += errors
            guard let tenant else { continue }
            if let earlier = firstFileForID[tenant.id] {
                report.errors.append(ConfigError(
                    path: file, mark: tenant.source.idMark,
                    message: "duplicate tenant id '\(tenant.id)': already defined in \(earlier)"))
                continue
            }
            firstFileForID[tenant.id] = file
            report.tenants.append(tenant)
        }
        return report
    }

    /// The tenant files of `directory` (`*.yaml`, `*.yml`), sorted by name, as full paths.
    public func tenantFiles(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .sorted()
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Reads and decodes one file.
    public func loadFile(_ path: String) -> (TenantConfig?, [ConfigError]) {
        let diagnostics = ConfigDiagnostics(path: path)
        guard let root = parse(path, diagnostics: diagnostics) else { return (nil, diagnostics.errors) }
        let tenant = TenantConfigDecoder(diagnostics: diagnostics).decode(root)
        return (tenant, diagnostics.errors)
    }

    private func parse(_ path: String, diagnostics: ConfigDiagnostics) -> YAMLNode? {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        if let size, size > limits.maxBytes {
            diagnostics.report("file is \(size) bytes, more than the \(limits.maxBytes)-byte limit", at: nil)
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            diagnostics.report("cannot read the file", at: nil)
            return nil
        }
        do {
            return try YAMLParser.parse(Array(data), limits: limits)
        } catch {
            diagnostics.report(error.message, at: error.mark)
            return nil
        }
    }
}
