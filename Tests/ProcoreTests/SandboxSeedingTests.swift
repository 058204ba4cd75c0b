import Foundation
import GRDB
import Procore
import ProcoreSandbox
import SageStore
import SageModel
import Testing
import TielineCore

@Suite("Sandbox seeded from a Sage company")
struct SandboxSeedingTests {
    /// A Sage company shaped like the sample payload: job and contract 24-118, items 100 and 200.
    static func riversideCompany() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("procore-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("riverside.sqlite").path
        let company = try SageCompany.create(at: path, name: "Riverside Builders")
        try company.write { db in
            try Job(job: "24-118", description: "Riverside Clinic", customer: "RIVER").insert(db)
            for (code, name) in [("01-900", "General conditions"), ("02-200", "Earthwork"), ("03-300", "Concrete")] {
                try CostCode(job: "24-118", costCode: code, description: name).insert(db)
            }
            for (code, category, name) in [("01-900", "O", "Other"), ("02-200", "S", "Subcontract"), ("03-300", "M", "Material")] {
                try SageStore.Category(job: "24-118", costCode: code, category: category, description: name).insert(db)
            }
            try Contract(contract: "24-118", job: "24-118", customer: "RIVER", description: "Riverside Clinic Prime",
                         originalAmount: .of("4250000.00")).insert(db)
            try ContractItem(contract: "24-118", item: "100", description: "Sitework", job: "24-118", costCode: "02-200",
                             category: "S", originalScheduledValue: .of("1200000.00")).insert(db)
            try ContractItem(contract: "24-118", item: "200", description: "Building", job: "24-118", costCode: "03-300",
                             category: "M", originalScheduledValue: .of("3050000.00")).insert(db)
        }
        return path
    }

    @Test("projects, contracts, items, cost codes and types match the company; a PCCO exports exactly")
    func matchesSage() async throws {
        let path = try Self.riversideCompany()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try await Harness.with(configure: { $0.sageCompanyPath = path }) { h in
            #expect(h.sandbox.projects.map(\.originCode) == ["24-118"])
            let contract = try #require(h.sandbox.primeContracts.first)
            #expect(contract.originCode == "24-118")
            #expect(contract.items.map(\.originCode) == ["100", "200"])
            #expect(contract.items.map(\.amount) == [.of("1200000.00"), .of("3050000.00")])

            try h.sandbox.createApprovedPCCO(PCCOSpec(
                number: "007", title: "Added storm drain",
                lines: [.init(contractItem: "100", amount: .of("10000.00")), .init(contractItem: "200", amount: .of("1000.00"))],
                markupPercent: 15, transactionDate: try CalendarDate(year: 2024, month: 9, day: 20)))
            let intake = ProcoreIntake(client: h.client)
            guard case .createChangeOrder(let export)? = try await intake.fetchERPRequests().first?.event else {
                Issue.record("no create event")
                return
            }
            #expect(export.job == "24-118")
            #expect(export.contract == "24-118")
            #expect(export.lines.map(\.contractItem) == ["100", "200"])
            #expect(export.lines.map(\.costCode) == ["02-200", "03-300"])
            #expect(export.lines.map(\.category) == ["S", "M"])
            #expect(export.lines.map(\.amount) == [.of("11500.00"), .of("1000.00")])
            #expect(export.lines.map(\.extendedAmount) == [.of("10000.00"), .of("1000.00")])
            #expect(export.lines[0].markups.map(\.amount) == [.of("1500.00")])
            #expect(export.transactionDate == (try CalendarDate(year: 2024, month: 9, day: 20)))

            // The public-API view of the same PCCO is the same export, bar the intake.
            var polled = try #require(try await intake.pendingExports(since: Date(timeIntervalSince1970: 0)).first)
            polled.intake = export.intake
            #expect(polled == export)
        }
    }

    @Test("control endpoints work over HTTP")
    func controlOverHTTP() async throws {
        try await Harness.with { h in
            let created = try await h.client.send(.POST, "/sandbox/pccos", json: .object(["markup_percent": .number("0")]))
            #expect(created.status == 201)
            let body = PayloadReader(try created.json(context: "create"))
            #expect(try body.required("prime_change_order").string("status") == "approved")
            #expect(h.sandbox.erpRequests.count == 1)

            let set = try await h.client.send(.PUT, "/sandbox/faults", json: .object(["unavailable_burst": .number("1"),
                                                                                       "unavailable_retry_after": .number("3")]))
            #expect(set.status == 200)
            #expect(h.sandbox.faults.unavailableBurst == 1)
            _ = try await h.client.getJSON("/rest/v1.0/projects", query: Harness.companyQuery)
            #expect(h.clock.sleeps == [3])
            #expect(h.sandbox.faults.unavailableBurst == 0)
        }
    }
}
