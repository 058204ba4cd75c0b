import Foundation
import Procore
import TielineCore

extension SandboxData {
    /// Standard Sage categories as Procore line item types.
    static let standardTypes = [("L", "Labor"), ("M", "Material"), ("S", "Subcontract"), ("E", "Equipment"), ("O", "Other")]

    /// Seeds `count` projects made in Procore itself, each with a prime contract, plus one project without a contract.
    /// None is linked to an ERP (no origin ids or codes): Sage's jobs and contracts reach the sandbox only as the
    /// integration stages them and they are imported. These are for clients that list projects and PCCOs, and for the
    /// public-API path (a project linked to a Sage job in the hub).
    mutating func seedProcoreProjects(_ count: Int) {
        for (code, name) in Self.standardTypes { _ = lineItemType(code: code, name: name) }
        let names = ["Riverside Clinic", "Harbor Library", "North Yard Depot", "Elm Street Lofts", "Mesa Fire Station",
                     "Cedar School Gym", "Bayview Offices", "Granite Bridge"]
        let codes = [("01-900", "General conditions"), ("02-200", "Earthwork"), ("03-300", "Cast-in-place concrete"),
                     ("05-100", "Structural steel"), ("09-200", "Drywall"), ("16-100", "Electrical")]
        for n in 0..<count {
            let projectID = newID()
            projects.append(SandboxProject(id: projectID, name: "\(names[n % names.count]) (made in Procore)", originID: nil, originCode: nil))
            var items: [SandboxContractItem] = []
            for (code, name) in codes.dropFirst().prefix(3 + Int(rng.next() % 2)) {
                let type = Self.standardTypes[Int(rng.next() % 4)]
                items.append(SandboxContractItem(
                    id: newID(), description: name, amount: Money(cents: Int64(50_000 + rng.next() % 2_000_000) * 100),
                    originCode: nil, costCodeID: costCode(projectID: projectID, fullCode: code, name: name),
                    lineItemTypeID: lineItemType(code: type.0, name: type.1)))
            }
            _ = costCode(projectID: projectID, fullCode: codes[0].0, name: codes[0].1)
            contracts.append(SandboxPrimeContract(id: newID(), projectID: projectID, number: "PC-01",
                                                  title: "\(names[n % names.count]) Prime Contract", status: "Approved",
                                                  originID: nil, originCode: nil, items: items))
        }
        projects.append(SandboxProject(id: newID(), name: "Unlinked estimating project", originID: nil, originCode: nil))
    }
}
