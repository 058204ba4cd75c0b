import Foundation
import GRDB
import Procore
import ProcoreSandbox
import SageStore
import SageModel
import Testing
import TielineCore

@Suite("Sandbox: staged records imported from Ready to Import")
struct SandboxSeedingTests {
    /// What the hub stages for job and contract 24-118 (items 100 and 200), as the Staged Records guide shapes it.
    static let riverside: [JSONValue] = [
        .object(["item_type": .string("project"), "origin_id": .string("job-guid-24118"), "origin_code": .string("24-118"),
                 "data": .object(["name": .string("Riverside Clinic")])]),
        .object(["item_type": .string("prime_contract"), "origin_id": .string("contract-guid-24118"), "origin_code": .string("24-118"),
                 "data": .object(["project_origin_id": .string("job-guid-24118"), "title": .string("Riverside Clinic Prime")])]),
        .object(["item_type": .string("line_item"), "origin_id": .string("item-guid-100"), "origin_code": .string("100"),
                 "parent_origin_id": .string("contract-guid-24118"),
                 "data": .object(["description": .string("Sitework"), "amount": .string("1200000.00"), "cost_code": .string("02-200"),
                                  "line_item_type": .string("S")])]),
        .object(["item_type": .string("line_item"), "origin_id": .string("item-guid-200"), "origin_code": .string("200"),
                 "parent_origin_id": .string("contract-guid-24118"),
                 "data": .object(["description": .string("Building"), "amount": .string("3050000.00"), "cost_code": .string("03-300"),
                                  "line_item_type": .string("M")])]),
    ]

    @Test("staged, imported: projects, contracts, items, cost codes and types as staged; a PCCO on them exports exactly")
    func matchesSage() async throws {
        try await Harness.with(configure: { $0.syntheticProjects = 0 }) { h in
            let intake = ProcoreIntake(client: h.client)
            // A contract cannot name a project that is neither staged nor synced.
            let orphan: JSONValue = .object(["item_type": .string("prime_contract"), "origin_id": .string("x"),
                                             "data": .object(["project_origin_id": .string("nowhere")])])
            #expect(try await intake.syncStagedRecords([orphan]).first?.contains("neither a staged nor a synced project") == true)
            #expect(try await intake.syncStagedRecords(Self.riverside).isEmpty)
            #expect(h.sandbox.projects.allSatisfy { $0.originCode == nil }, "no linked project exists in Procore before the import")
            #expect(h.sandbox.readyToImport.map(\.itemType) == ["project"], "the contract waits for its project to be synced")
            #expect(try h.sandbox.importAll() == 2)
            #expect(h.sandbox.stagedRecords.allSatisfy { $0.status == "imported" })
            let linked = h.sandbox.projects.filter { $0.originCode != nil }
            #expect(linked.map(\.originCode) == ["24-118"])
            #expect(linked.map(\.originID) == ["job-guid-24118"])
            let contract = try #require(h.sandbox.primeContracts.first)
            #expect(contract.originCode == "24-118")
            #expect(contract.items.map(\.originCode) == ["100", "200"])
            #expect(contract.items.map(\.amount) == [.of("1200000.00"), .of("3050000.00")])
            #expect(try await intake.stagedRecords(itemType: "line_item").count == 2)
            // Add to Procore sent create_job_in_procore for the new project, as the ERP Events Dictionary shows it.
            let imported = try await intake.fetchERPRequests()
            guard case .jobCreatedInProcore(let created)? = imported.first?.event else {
                Issue.record("no create_job_in_procore: \(imported.map(\.requestName))")
                return
            }
            #expect(imported.count == 1)
            #expect(created == ProcoreJobCreated(projectID: linked[0].id, name: "Riverside Clinic", originID: "job-guid-24118", originCode: "24-118"))
            #expect(imported.first?.requestDetailID == nil, "nothing to close")

            try h.sandbox.createApprovedPCCO(PCCOSpec(
                number: "007", title: "Added storm drain",
                lines: [.init(contractItem: "100", amount: .of("10000.00")), .init(contractItem: "200", amount: .of("1000.00"))],
                markupPercent: 15, transactionDate: try CalendarDate(year: 2024, month: 9, day: 20)))
            guard case .createChangeOrder(let export)? = try await intake.fetchERPRequests(after: imported.last?.id).first?.event else {
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

    @Test("control endpoints work over HTTP: Ready to Import, import one, import all; PCCOs sent to ERP only on imported contracts")
    func controlOverHTTP() async throws {
        try await Harness.with { h in
            // The sandbox starts with projects made in Procore only: nothing to send a PCCO to ERP on.
            #expect(h.sandbox.projects.allSatisfy { $0.originCode == nil })
            let madeInProcore = try #require(h.sandbox.primeContracts.first)
            await #expect {
                _ = try await h.client.send(.POST, "/sandbox/pccos", json: .object(["project_id": .number(String(madeInProcore.projectID))]))
            } throws: { error in
                guard let refused = error as? ProcoreAPIError else { return false }
                return refused.status == 422
                    && refused.body.contains("pcco.send_to_erp: prime contract PC-01 of project \(madeInProcore.projectID) was not imported from Ready to Import")
            }
            await #expect {
                _ = try await h.client.send(.POST, "/sandbox/pccos", json: .object([:]))
            } throws: { ($0 as? ProcoreAPIError)?.body.contains("no prime contract was imported from Ready to Import") == true }
            #expect(h.sandbox.changeOrders.isEmpty && h.sandbox.erpRequests.isEmpty, "nothing made, nothing sent")
            // Kept in Procore (send_to_erp false), the same contract takes one: no ERP request.
            let kept = try await h.client.send(.POST, "/sandbox/pccos", json: .object(["project_id": .number(String(madeInProcore.projectID)),
                                                                                       "send_to_erp": .bool(false)]))
            #expect(kept.status == 201)
            #expect(try PayloadReader(try kept.json(context: "kept")).optional("erp_request_id") == nil)
            #expect(h.sandbox.erpRequests.isEmpty)

            let intake = ProcoreIntake(client: h.client)
            #expect(try await intake.syncStagedRecords(Self.riverside).isEmpty)
            func ready() async throws -> [(String, Int)] {
                try PayloadReader(try await h.client.getJSON("/sandbox/ready_to_import"), path: "ready").asArray().map { (r) throws(TielineError) in
                    (try r.string("item_type"), try r.int("id"))
                }
            }
            let projectRecord = try #require(try await ready().first)
            #expect(try await ready().map(\.0) == ["project"], "the contract waits for its project")
            let imported = try await h.client.send(.POST, "/sandbox/staged_records/\(projectRecord.1)/import")
            #expect(try PayloadReader(try imported.json(context: "import")).optionalString("origin_code") == "24-118")
            #expect(try await ready().map(\.0) == ["prime_contract"], "its project synced, the contract is ready")
            await #expect(throws: ProcoreAPIError.self, "imported already: not on Ready to Import") {
                _ = try await h.client.send(.POST, "/sandbox/staged_records/\(projectRecord.1)/import")
            }
            let all = try await h.client.send(.POST, "/sandbox/import_all")
            #expect(try PayloadReader(try all.json(context: "import all")).int("imported") == 1)
            #expect(try await ready().isEmpty)
            #expect(h.sandbox.erpRequests.map(\.name) == ["create_job_in_procore"], "one new project, one event")

            let created = try await h.client.send(.POST, "/sandbox/pccos", json: .object(["markup_percent": .number("0")]))
            #expect(created.status == 201)
            let body = PayloadReader(try created.json(context: "create"))
            #expect(try body.required("prime_change_order").string("status") == "approved")
            #expect(try body.required("prime_change_order").int("contract_id") == h.sandbox.primeContracts.first { $0.originCode == "24-118" }?.id,
                    "made on the imported contract")
            #expect(h.sandbox.erpRequests.map(\.name) == ["create_job_in_procore", "create_prime_contract_change_order"])

            let set = try await h.client.send(.PUT, "/sandbox/faults", json: .object(["unavailable_burst": .number("1"),
                                                                                       "unavailable_retry_after": .number("3")]))
            #expect(set.status == 200)
            #expect(h.sandbox.faults.unavailableBurst == 1)
            _ = try await h.client.getJSON("/rest/v1.0/projects", query: Harness.companyQuery)
            #expect(h.clock.sleeps == [.seconds(3)])
            #expect(h.sandbox.faults.unavailableBurst == 0)
        }
    }
}
