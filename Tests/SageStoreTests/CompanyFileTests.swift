import Foundation
import GRDB
import SageModel
import SageStore
import Testing
import TielineCore

/// `sample-company create --from`: exactly what the file lists, or a message naming the place of the mistake.
@Suite("Company files")
struct CompanyFileTests {
    static let minimal = """
        {"name": "Tiny", "customers": [{"customer": "C1", "name": "Owner"}],
         "jobs": [{"job": "J-1", "description": "Shed", "customer": "C1",
                   "costCodes": [{"costCode": "01-900", "description": "General", "categories": [{"category": "O"}]},
                                 {"costCode": "02-200", "description": "Earthwork", "categories": [{"category": "S", "estimate": "900.50"}]}],
                   "contracts": [{"contract": "J-1", "description": "Prime",
                                  "items": [{"item": "100", "description": "Dig", "costCode": "02-200", "category": "S", "amount": "1500.25"},
                                            {"item": "200", "description": "Manage", "costCode": "01-900", "amount": 700}]}]}]}
        """

    func create(_ json: String) throws -> (SageCompany, String) {
        let path = temporaryPath("from-file.sqlite")
        return (try CompanyFile.load(Data(json.utf8), source: "company.json").create(at: path), path)
    }

    @Test func writesWhatTheFileListsWithTheContractTotals() throws {
        let (company, _) = try create(Self.minimal)
        try company.read { (db: Database) throws -> Void in
            #expect(try Int64.fetchOne(db, sql: "SELECT Original_Amount FROM CNC_ACTIVE__CONTRACT") == 220_025)
            #expect(try String.fetchOne(db, sql: "SELECT Status FROM CNC_ACTIVE__CONTRACT") == "Approved")
            #expect(try Int64.fetchOne(db, sql: "SELECT Original_Contract_Amount FROM JCM_MASTER__JOB WHERE Job = 'J-1'") == 220_025)
            #expect(try Int64.fetchOne(db, sql: "SELECT Original_Estimate FROM JCM_MASTER__CATEGORY WHERE Cost_Code = '02-200'") == 90_050)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM CNC_ACTIVE__CONTRACT_ITEM") == 2)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_CURRENT__TRANSACTION") == 0, "nothing invented")
        }
    }

    @Test func theDocumentedExampleLoadsWithItsStatuses() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/examples/company.json")
        let file = try CompanyFile.load(try Data(contentsOf: example), source: "company.json")
        #expect(!file.jobs.isEmpty)
        // Every documented status is accepted.
        for status in SageRules.jobStatuses {
            let json = Self.minimal.replacingOccurrences(of: #""description": "Shed","#, with: #""description": "Shed", "status": "\#(status)","#)
            #expect(try CompanyFile.load(Data(json.utf8), source: "company.json").jobs[0].status == status)
        }
        for status in SageRules.contractStatuses {
            let json = Self.minimal.replacingOccurrences(of: #""description": "Prime""#, with: #""description": "Prime", "status": "\#(status)""#)
            #expect(try CompanyFile.load(Data(json.utf8), source: "company.json").jobs[0].contracts?[0].status == status)
        }
    }

    @Test(arguments: [
        (#""costCode": "02-200", "category": "S", "amount": "1500.25""#, #""costCode": "09-999", "category": "S", "amount": "1500.25""#,
         "jobs[0].contracts[0].items[0]: cost code 09-999 / category S is not one of job J-1's cost codes"),
        (#""job": "J-1""#, #""job": "JOB-TOO-LONG""#,
         "jobs[0]: JCM_MASTER__JOB.Job: 'JOB-TOO-LONG' is 12 characters; Sage allows at most 10"),
        (#""amount": "1500.25""#, #""amount": "15.005""#, "jobs[0].contracts[0].items[0].amount"),
        (#""description": "Shed", "customer": "C1""#, #""description": "Shed", "customer": "C9""#, "jobs[0].customer: 'C9' is not among the file's customers"),
        (#"{"category": "O"}"#, #"{"category": "O"}, {"category": "O"}"#, "jobs[0].costCodes[0].categories[1]: appears twice in the file"),
        (#""description": "Shed", "#, "", "jobs[0].description is missing"),
        // A misspelt key is refused, not ignored: the file's author meant something by it.
        (#""name": "Tiny""#, #""name": "Tiny", "withPj": true"#, "company.json: withPj is not a company-file field; here the fields are name, withPJ, customers, jobs"),
        (#""contract": "J-1", "description": "Prime""#, #""contract": "J-1", "description": "Prime", "statuss": "Pending""#,
         "jobs[0].contracts[0].statuss is not a company-file field"),
        (#""item": "100", "#, #""item": "100", "qty": 2, "#, "jobs[0].contracts[0].items[0].qty is not a company-file field"),
        (#"{"category": "O"}"#, #"{"category": "O", "estimate": "1.00", "budget": "2.00"}"#, "jobs[0].costCodes[0].categories[0].budget is not a company-file field"),
        // Statuses are Sage's own, listed in docs/company-file.md.
        (#""description": "Shed", "customer": "C1""#, #""description": "Shed", "status": "Active", "customer": "C1""#,
         "company.json: jobs[0].status: 'Active' is not a Sage job status; use 'Unstarted', 'In progress' or 'Closed'"),
        (#""contract": "J-1", "description": "Prime""#, #""contract": "J-1", "description": "Prime", "status": "approved""#,
         "company.json: jobs[0].contracts[0].status: 'approved' is not a Sage contract status; use 'Pending', 'Approved' or 'Closed'"),
    ])
    func mistakesNameTheirPlaceAndLeaveNoFile(_ change: (String, String, String)) throws {
        let json = Self.minimal.replacingOccurrences(of: change.0, with: change.1)
        #expect(json != Self.minimal)
        let path = temporaryPath("bad.sqlite")
        do {
            _ = try CompanyFile.load(Data(json.utf8), source: "company.json").create(at: path)
            Issue.record("accepted: \(change.2)")
        } catch {
            #expect(error.message.contains(change.2), "\(error.message)")
            #expect(error.message.hasPrefix("company.json") || error.message.hasPrefix("jobs["))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
