import SageStore
import SageModel
import SyncCore
import TielineCore

/// The readiness check: walks PCCO export's prerequisites from the setup guide.
public struct Doctor: Sendable {
    /// Asks the hub whether it accepts a token; `HubProbe.check` in production.
    public typealias Probe = @Sendable (HubConnection, String) async -> HubProbeResult

    let store: AgentConfigStore
    let runLog: SyncRunLog
    let probe: Probe

    public init(store: AgentConfigStore, probe: @escaping Probe = { await HubProbe.check($0, token: $1) }) {
        self.store = store
        self.runLog = SyncRunLog(home: store.home)
        self.probe = probe
    }

    /// Runs every check for `connection`, or for every Local Connection when nil.
    /// Only an unreadable configuration throws; every other problem is a failed check.
    public func run(connection name: String?) async throws(TielineError) -> DoctorReport {
        let config = try store.load()
        var checks: [DoctorCheck] = []
        var targets: [(LocalConnection, SageCompany?)] = []
        if let name, (try? config.connection(name)) == nil {
            checks.append(DoctorCheck(id: "sage_connection", title: "Local Connection", connection: name, passed: false,
                detail: "no Local Connection named '\(name)'", fix: "tieline connections add \(quoted(name)) --sage company.sqlite"))
        } else if config.connections.isEmpty {
            checks.append(DoctorCheck(id: "sage_connection", title: "Local Connection", connection: nil, passed: false,
                detail: "no Local Connection yet", fix: "tieline connections add Company --sage company.sqlite"))
        }
        for connection in config.connections where name == nil || connection.name == name {
            if connection.odbc != nil {
                // Read through ODBC: the connection's checks are the driver's and the tables', not the file's.
                let check = odbcCheck(connection)
                checks.append(check)
                targets.append((connection, nil))
                continue
            }
            let (check, company) = openCheck(connection)
            checks.append(check)
            checks.append(contractCheck(connection, company))
            targets.append((connection, company))
        }
        checks.append(await hubCheck(config.hub))
        for (connection, company) in targets {
            let ownsPJ = (try? company?.ownsPJ()) ?? false
            checks.append(mappedCheck(connection, ownsPJ: ownsPJ))
            checks.append(fieldsCheck(connection))
            checks.append(deepSyncCheck(connection))
        }
        return DoctorReport(checks: checks)
    }

    func openCheck(_ connection: LocalConnection) -> (DoctorCheck, SageCompany?) {
        let title = "Sage connection opens"
        do {
            let company = try connection.openCompany()
            let info = try company.info()
            return (DoctorCheck(id: "sage_connection", title: title, connection: connection.name, passed: true,
                detail: "Sage 300 CRE company '\(info.name)' at \(connection.sagePath)", fix: nil), company)
        } catch {
            let name = quoted(connection.name)
            // Re-adding would discard the connection's mappings, so the fix points at the file first.
            let fix = switch error.code {
            case .sageLocked: "close the program holding \(connection.sagePath), then: tieline connections test \(name)"
            case .sageCompanyMissing: "put the company back at \(connection.sagePath) (or add the right file: tieline connections add NEW_NAME --sage FILE), then: tieline connections test \(name)"
            default: "check that \(connection.sagePath) is the Sage company, then: tieline connections test \(name)"
            }
            return (DoctorCheck(id: "sage_connection", title: title, connection: connection.name, passed: false,
                detail: error.message, fix: fix), nil)
        }
    }

    /// An ODBC connection: the driver manager, driver or DSN, and each mapped entity's table and columns.
    func odbcCheck(_ connection: LocalConnection) -> DoctorCheck {
        let title = "Sage connection opens (ODBC)"
        let name = quoted(connection.name)
        do {
            let report = try ConnectionReport.test(connection, home: store.home)
            let broken = report.entities.filter { $0.mapped && $0.rows == nil && $0.note?.contains("Project Management") != true }
            guard broken.isEmpty else {
                return DoctorCheck(id: "sage_connection", title: title, connection: connection.name, passed: false,
                    detail: broken.map { "\($0.entity): \($0.note ?? "unreadable")" }.joined(separator: "; "),
                    fix: "fix the table or column named (Timberline driver: StandardMode=1), or untick the entity: tieline mappings disable ENTITY --connection \(name)")
            }
            return DoctorCheck(id: "sage_connection", title: title, connection: connection.name, passed: true,
                detail: "\(report.sagePath): every mapped entity's table and columns answer", fix: nil)
        } catch {
            let fix = switch error.code {
            case .odbcDriverManagerMissing: "install the ODBC driver manager (Debian/Ubuntu: apt-get install unixodbc), then: tieline connections test \(name)"
            case .odbcPasswordMissing: "set the password variable in the agent's environment, then: tieline connections test \(name)"
            default: "check the DSN and driver (odbcinst -q -s / odbcinst -q -d), then: tieline connections test \(name)"
            }
            return DoctorCheck(id: "sage_connection", title: title, connection: connection.name, passed: false, detail: error.message, fix: fix)
        }
    }

    func contractCheck(_ connection: LocalConnection, _ company: SageCompany?) -> DoctorCheck {
        let title = "Approved CN contract"
        let fix = "in Sage 300 CRE, approve a contract in Contracts (CN) (Status 'Approved'); then run: tieline doctor --connection \(quoted(connection.name))"
        guard let company else {
            return DoctorCheck(id: "approved_contract", title: title, connection: connection.name, passed: false,
                               detail: "not checked: the company did not open", fix: fix)
        }
        do {
            let count = try company.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(SageSchema.contract.name)\" WHERE \"Status\" = ?",
                                 arguments: [SageRules.contractStatusTakingChangeOrders]) ?? 0
            }
            return DoctorCheck(id: "approved_contract", title: title, connection: connection.name, passed: count > 0,
                detail: count > 0 ? "\(count) Approved contract\(count == 1 ? "" : "s")" : "the company has no Approved CN contract; PCCOs export onto one",
                fix: fix)
        } catch {
            return DoctorCheck(id: "approved_contract", title: title, connection: connection.name, passed: false, detail: error.message, fix: fix)
        }
    }

    func hubCheck(_ hub: HubConnection?) async -> DoctorCheck {
        let title = "Cloud connection (Connect)"
        let connectFix = "tieline connect --hub https://HUB --site SITE --token - --check   (it reads the site's agent token from standard input)"
        guard let hub else {
            return DoctorCheck(id: "hub_connection", title: title, connection: nil, passed: false,
                               detail: "not connected to a hub yet", fix: connectFix)
        }
        guard let token = try? store.loadToken(), !token.isEmpty else {
            return DoctorCheck(id: "hub_connection", title: title, connection: nil, passed: false,
                               detail: "no token stored for \(hub.url)", fix: connectFix)
        }
        let result = await probe(hub, token)
        let fix: String = switch result {
        case .unauthorized, .siteMismatch:
            "tieline connect --hub \(hub.url) --site \(hub.site) --token - --check   (paste the site's new agent token; ask the hub admin for it)"
        default:
            "start the hub or correct its URL, then: tieline connect --hub URL --site \(hub.site) --token - --check"
        }
        return DoctorCheck(id: "hub_connection", title: title, connection: nil, passed: result.passed,
                           detail: "\(hub.url): \(result.summary)", fix: fix)
    }

    func mappedCheck(_ connection: LocalConnection, ownsPJ: Bool) -> DoctorCheck {
        let needed = PCCOExportPreset.entities.filter { $0.requiresModule != .pj || ownsPJ } + [EntityCatalog.transaction]
        let missing = needed.filter { !connection.mappings.isEnabled($0) }
        return DoctorCheck(id: "entities_mapped", title: "Advanced Mappings: entities PCCO export needs", connection: connection.name,
            passed: missing.isEmpty,
            detail: missing.isEmpty ? "all \(needed.count) ticked" : "not ticked: \(missing.map(\.name).joined(separator: ", "))",
            fix: "tieline mappings preset pcco-export --connection \(quoted(connection.name))")
    }

    func fieldsCheck(_ connection: LocalConnection) -> DoctorCheck {
        let cleared = connection.mappings.clearedFields[EntityCatalog.transaction.name] ?? []
        let on = PCCOExportPreset.clearedOptions.filter { !cleared.contains($0) }
        let excludes = on.map { "--exclude \(quoted($0))" }.joined(separator: " ")
        return DoctorCheck(id: "transaction_options_cleared", title: "Transaction (JC) field options cleared", connection: connection.name,
            passed: on.isEmpty,
            detail: on.isEmpty ? "\(PCCOExportPreset.clearedOptions.joined(separator: ", ")) are cleared" : "still on: \(on.joined(separator: ", "))",
            fix: "tieline mappings fields --connection \(quoted(connection.name)) \"Transaction (JC)\" \(excludes)")
    }

    func deepSyncCheck(_ connection: LocalConnection) -> DoctorCheck {
        let title = "Deep sync from The beginning of time completed"
        let name = quoted(connection.name)
        let settingsOK = connection.settings == SyncSettings(type: .deep, timeframe: .beginningOfTime)
        let fix = (settingsOK ? "" : "tieline sync settings --connection \(name) --type deep --timeframe beginning-of-time && ")
            + "tieline sync run --connection \(name)"
        do {
            guard let run = try runLog.lastCompletedDeepRun(connection: connection.name) else {
                return DoctorCheck(id: "deep_sync_completed", title: title, connection: connection.name, passed: false,
                    detail: "not yet (Sync Settings now: \(connection.settings.lines.joined(separator: ", ")))", fix: fix)
            }
            return DoctorCheck(id: "deep_sync_completed", title: title, connection: connection.name, passed: true,
                detail: "run \(run.id) finished \(run.finishedAt ?? "(time not recorded)")", fix: nil)
        } catch {
            return DoctorCheck(id: "deep_sync_completed", title: title, connection: connection.name, passed: false, detail: error.message, fix: fix)
        }
    }
}

/// Quotes a shell argument when it has spaces or parentheses, so fixes paste as-is.
func quoted(_ text: String) -> String {
    text.contains(where: { " ()'\"&;$`".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : text
}
