import Foundation
import Procore
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
}
