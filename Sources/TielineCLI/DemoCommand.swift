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
            Builds a sample Sage 300 CRE company under <home>/demo, then writes Procore's sample PCCO \
            (Riverside Clinic, change order 007, "Added storm drain") into it as an approved contract \
            change order with its JC batch, posts the batch, and prints the Sage records and roll-ups.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Jobs in the demo company.") var jobs: Int = 20
    @Option(help: "JC transactions in the demo company.") var transactions: Int = 20_000

    func run() async throws {
        try await Output.run {
            let folder = global.tielineHome.path("demo")
            try? FileManager.default.removeItem(at: folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("company.sqlite").path

            print("1. Sample Sage 300 CRE company → \(path)")
            let started = Date()
            let company = try SampleCompanyGenerator.create(at: path, spec: SampleCompanySpec(jobs: jobs, transactions: transactions, seed: 7))
            print("   \(jobs) jobs, \(transactions) JC transactions in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
            DescribeText.print(try company.summary())

            print("\n2. Procore's sample PCCO 007 \"Added storm drain\" written into Sage (one transaction)")
            let written = Date()
            try DemoPCCO.write(into: company)
            print("   written in \(String(format: "%.3f", Date().timeIntervalSince(written))) s")
            try DemoPCCO.printRecords(company)

            print("\n3. Post Entries")
            let posting = try company.postEntries(batch: DemoPCCO.batch)
            print("   posted \(posting.transactions) entries as JC run \(posting.run)")
            try DemoPCCO.printRollups(company)
        }
    }
}
