import Foundation
import GRDB
@testable import SageStore
import SageModel
import TielineCore

/// A company with one approved contract (J-1/J-1, items 100 and 200) and one pending (J-2).
func makeCompany(modules: Set<SageModule> = SageModule.standard) throws -> SageCompany {
    let company = try SageCompany.inMemory(modules: modules)
    try company.write { db throws in
        try Job(job: "J-1", description: "Clinic", originalContractAmount: Money(cents: 300_000)).insert(db)
        try Job(job: "J-2", description: "School").insert(db)
        for (job, code, category) in [("J-1", "02-200", "S"), ("J-1", "03-300", "M"), ("J-2", "02-200", "S")] {
            try CostCode(job: job, costCode: code, description: "Code \(code)").insert(db)
            try Category(job: job, costCode: code, category: category, description: "Cat \(category)").insert(db)
        }
        try Contract(contract: "J-1", job: "J-1", customer: "C1", description: "Prime", status: "Approved", originalAmount: Money(cents: 300_000)).insert(db)
        try Contract(contract: "J-2", job: "J-2", customer: "C1", description: "Prime", status: "Pending").insert(db)
        try ContractItem(contract: "J-1", item: "100", description: "Sitework", job: "J-1", costCode: "02-200", category: "S",
                         originalScheduledValue: Money(cents: 100_000)).insert(db)
        try ContractItem(contract: "J-1", item: "200", description: "Building", job: "J-1", costCode: "03-300", category: "M",
                         originalScheduledValue: Money(cents: 200_000)).insert(db)
    }
    return company
}

func temporaryPath(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
}
