import Agent
import ArgumentParser
import Foundation
import Sage300
import TielineCore

/// `tieline demo`: the main job on embedded defaults, in one command.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run Tieline's main job on embedded defaults and show what it wrote into Sage.",
        discussion: """
            Builds a sample Sage 300 CRE company under <home>/demo, parses Procore's sample ERP request \
            (Riverside Clinic, PCCO 007 "Added storm drain"), validates it against Sage, writes it as an \
            approved contract change order with its JC batch (exactly once), posts the batch, and prints \
            the Sage records and roll-ups.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Jobs in the demo company.") var jobs: Int = 20
    @Option(help: "JC transactions in the demo company.") var transactions: Int = 20_000

    func run() async throws {
        try await reporting(json: false) {
            let folder = global.tielineHome.path("demo")
            try? FileManager.default.removeItem(at: folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("company.sqlite").path

            print("1. Sample Sage 300 CRE company → \(path)")
            let started = Date()
            let company = try SampleCompanyGenerator.create(at: path, spec: SampleCompanySpec(jobs: jobs, transactions: transactions, seed: 7))
            print("   \(jobs) jobs, \(transactions) JC transactions in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
            DescribeText.print(try company.summary())

            print("\n2. Procore's sample ERP request, parsed by the Procore intake")
            let export = try DemoPCCO.export()
            DemoPCCO.printExport(export)

            print("\n3. Validated against Sage and written in one transaction (exactly once)")
            let writer = ExportWriter(company: company)
            let written = Date()
            let date = export.transactionDate ?? CalendarDate.today()
            let result = try writer.write(export, transactionDate: date)
            print("   written in \(String(format: "%.3f", Date().timeIntervalSince(written))) s")
            try DemoPCCO.printRecords(company, result)
            let again = try writer.write(export, transactionDate: date)
            print("   delivered again: \(again.alreadyWritten ? "already written, nothing added" : "WROTE TWICE")")

            print("\n4. Post Entries")
            let posting = try company.postEntries(batch: result.batch)
            print("   posted \(posting.transactions) entries as JC run \(posting.run)")
            try DemoPCCO.printRollups(company)
        }
    }
}
