/// One readiness check: what was checked, whether it holds, and the command that fixes it.
public struct DoctorCheck: Sendable, Hashable, Codable {
    /// Stable identifier for scripts, e.g. `approved_contract`.
    public let id: String
    /// What was checked, in the setup guide's words.
    public let title: String
    /// The Local Connection the check is about; nil for the cloud connection.
    public let connection: String?
    public let passed: Bool
    /// What was found.
    public let detail: String
    /// The exact command (or Sage step) that makes the check pass; nil when it passed.
    public let fix: String?

    public init(id: String, title: String, connection: String?, passed: Bool, detail: String, fix: String?) {
        self.id = id
        self.title = title
        self.connection = connection
        self.passed = passed
        self.detail = detail
        self.fix = passed ? nil : fix
    }
}

/// Every check `doctor` ran; ready for PCCO export only when all passed.
public struct DoctorReport: Sendable, Hashable, Codable {
    public let checks: [DoctorCheck]

    public init(checks: [DoctorCheck]) { self.checks = checks }

    public var passed: Bool { checks.allSatisfy(\.passed) }

    /// `PASS`/`FAIL` lines, each failure followed by `fix: <command>`, then a verdict.
    public var lines: [String] {
        var out: [String] = []
        for check in checks {
            let scope = check.connection.map { "[\($0)] " } ?? ""
            out.append("\(check.passed ? "PASS" : "FAIL")  \(scope)\(check.title): \(check.detail)")
            if let fix = check.fix { out.append("      fix: \(fix)") }
        }
        let failed = checks.filter { !$0.passed }.count
        out.append(failed == 0
            ? "Ready for PCCO export: all \(checks.count) checks passed."
            : "Not ready for PCCO export: \(failed) of \(checks.count) checks failed.")
        return out
    }
}
