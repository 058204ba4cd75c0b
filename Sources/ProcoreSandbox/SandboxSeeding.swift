import Foundation
import GRDB
import Procore
import SageStore
import SageModel
import TielineCore

extension SandboxData {
    /// Standard Sage categories as Procore line item types.
    static let standardTypes = [("L", "Labor"), ("M", "Material"), ("S", "Subcontract"), ("E", "Equipment"), ("O", "Other")]

    /// Seeds `linkedProjects` projects linked to Sage jobs, each with a prime contract, plus
    /// one project not linked to Sage (it must be ignored by the intake).
    mutating func seedSynthetic(linkedProjects: Int) {
        for (code, name) in Self.standardTypes { _ = lineItemType(code: code, name: name) }
        let names = ["Riverside Clinic", "Harbor Library", "North Yard Depot", "Elm Street Lofts", "Mesa Fire Station",
                     "Cedar School Gym", "Bayview Offices", "Granite Bridge"]
        let codes = [("01-900", "General conditions"), ("02-200", "Earthwork"), ("03-300", "Cast-in-place concrete"),
                     ("05-100", "Structural steel"), ("09-200", "Drywall"), ("16-100", "Electrical")]
        for n in 0..<linkedProjects {
            let job = String(format: "%02d-%03d", 24 + n / 50, 100 + Int(rng.next() % 900))
            let projectID = newID()
            projects.append(SandboxProject(id: projectID, name: "\(job) - \(names[n % names.count])",
                                           originID: newOriginID(), originCode: job))
            var items: [SandboxContractItem] = []
            for (i, (code, name)) in codes.dropFirst().prefix(3 + Int(rng.next() % 2)).enumerated() {
                let type = Self.standardTypes[Int(rng.next() % 4)]
                items.append(SandboxContractItem(
                    id: newID(), description: name, amount: Money(cents: Int64(50_000 + rng.next() % 2_000_000) * 100),
                    originCode: String((i + 1) * 100), costCodeID: costCode(projectID: projectID, fullCode: code, name: name),
                    lineItemTypeID: lineItemType(code: type.0, name: type.1)))
            }
            _ = costCode(projectID: projectID, fullCode: codes[0].0, name: codes[0].1)
            contracts.append(SandboxPrimeContract(id: newID(), projectID: projectID, number: "PC-01",
                                                  title: "\(names[n % names.count]) Prime Contract", status: "Approved",
                                                  originID: newOriginID(), originCode: job, items: items))
        }
        projects.append(SandboxProject(id: newID(), name: "Unlinked estimating project", originID: nil, originCode: nil))
    }

    /// Seeds projects, prime contracts, items, cost codes and types to match a Sage company.
    mutating func seed(fromSage company: SageCompany) throws(TielineError) {
        let (jobs, contractRows, items, costRows, categories) = try company.read { db in
            (try Job.fetchAll(db, sql: "SELECT * FROM JCM_MASTER__JOB ORDER BY Job"),
             try Contract.fetchAll(db, sql: "SELECT * FROM CNC_ACTIVE__CONTRACT ORDER BY Contract"),
             try ContractItem.fetchAll(db, sql: "SELECT * FROM CNC_ACTIVE__CONTRACT_ITEM ORDER BY Contract, Item"),
             try CostCode.fetchAll(db, sql: "SELECT * FROM JCM_MASTER__COST_CODE ORDER BY Job, Extra, Cost_Code"),
             try Category.fetchAll(db, sql: "SELECT * FROM JCM_MASTER__CATEGORY ORDER BY Job, Extra, Cost_Code, Category"))
        }
        var projectByJob: [String: Int] = [:]
        for job in jobs {
            let id = newID()
            projectByJob[job.job] = id
            projects.append(SandboxProject(id: id, name: "\(job.job) - \(job.description ?? job.job)",
                                           originID: newOriginID(), originCode: job.job))
        }
        for c in categories { _ = lineItemType(code: c.category, name: c.description ?? c.category) }
        for c in costRows {
            guard let projectID = projectByJob[c.job] else { continue }
            _ = costCode(projectID: projectID, fullCode: c.costCode, name: c.description ?? c.costCode)
        }
        for contract in contractRows {
            guard let projectID = projectByJob[contract.job] else { continue }
            let mine = items.filter { $0.contract == contract.contract }.map { item in
                SandboxContractItem(
                    id: newID(), description: item.description ?? item.item, amount: item.originalScheduledValue,
                    originCode: item.item,
                    costCodeID: costCode(projectID: projectID, fullCode: item.costCode, name: item.costCode),
                    // A contract item without a category still needs a Procore type; Sage's "O" (other) is the usual default.
                    lineItemTypeID: lineItemType(code: item.category ?? "O", name: item.category ?? "Other"))
            }
            contracts.append(SandboxPrimeContract(id: newID(), projectID: projectID, number: contract.contract,
                                                  title: contract.description ?? contract.contract, status: contract.status,
                                                  originID: newOriginID(), originCode: contract.contract, items: mine))
        }
    }
}
