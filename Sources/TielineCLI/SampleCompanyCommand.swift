import ArgumentParser
import Foundation
import SageStore
import SageModel
import TielineCore

/// `tieline sample-company`: realistic Sage 300 CRE companies for trying Tieline out.
struct SampleCompanyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-company",
        abstract: "Create or describe a sample Sage 300 CRE company (a SQLite file with Sage's tables).",
        subcommands: [Create.self, Describe.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a realistic, deterministic sample company, or exactly the one a JSON file describes.",
            discussion: """
                Customers, vendors, jobs with cost codes and categories, approved CN contracts with items, \
                existing change orders, quick-bill jobs, AP invoices and JC transactions spread over 2019–2025. \
                The same --seed always gives the same company. Job 24-118 (Riverside Clinic) matches Procore's \
                sample ERP request.

                With --from company.json it writes only what the file lists — customers, jobs with cost codes \
                and categories, contracts and their items — in one transaction, checked against Sage's field \
                lengths (docs/company-file.md describes the file).
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Where to write the company file (must not exist).") var path: String
        @Option(help: ArgumentHelp("A JSON file describing the company to write instead of a generated one.", valueName: "company.json"))
        var from: String?
        @Option(help: "How many jobs.") var jobs: Int = 20
        @Option(help: "How many posted JC transactions.") var transactions: Int = 10_000
        @Option(help: "Random seed; the same seed gives the same company.") var seed: UInt64 = 7
        @Flag(name: .customLong("with-pj"), help: "The company owns Project Management (PJ): adds change requests and PJ change orders.")
        var withPJ = false
        @Option(help: "Company name.") var name: String = "Tieline Sample Construction"
        @Flag(help: "Print the summary as JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                if let from {
                    guard let data = FileManager.default.contents(atPath: from) else {
                        throw TielineError(.invalidInput, "--from: cannot read \(from)")
                    }
                    let summary = try CompanyFile.load(data, source: from).create(at: path).summary()
                    if json { Console.current.json(summary) } else {
                        Console.current.out("Created \(path) from \(from)")
                        DescribeText.print(summary)
                    }
                    return
                }
                let spec = SampleCompanySpec(name: name, jobs: jobs, transactions: transactions, seed: seed, withPJ: withPJ)
                let started = Date()
                let interactive = !json && isatty(STDERR_FILENO) != 0
                let company = try SampleCompanyGenerator.create(at: path, spec: spec) { written in
                    if interactive { Output.note("\u{1B}[1A\u{1B}[2K  \(written) of \(spec.transactions) transactions") }
                }
                let seconds = Date().timeIntervalSince(started)
                let summary = try company.summary()
                if json {
                    Console.current.json(summary)
                } else {
                    Console.current.out("Created \(path) in \(String(format: "%.1f", seconds)) s")
                    DescribeText.print(summary)
                }
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a company's row counts per Sage table.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "The company file.") var path: String
        @Flag(help: "Print as JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                let summary = try SageCompany.open(at: path).summary()
                if json { Console.current.json(summary) } else { DescribeText.print(summary) }
            }
        }
    }
}

enum DescribeText {
    static func print(_ summary: CompanySummary) {
        Console.current.out("Company: \(summary.name)  (modules: \(summary.modules.joined(separator: ", ")))")
        for table in summary.tables {
            Console.current.out("  \(Output.pad(table.table, 34)) \(table.rows)")
        }
        if !summary.transactionsByYear.isEmpty {
            let years = summary.transactionsByYear.keys.sorted().map { "\($0): \(summary.transactionsByYear[$0]!)" }
            Console.current.out("  JC transactions by year: \(years.joined(separator: ", "))")
        }
    }
}
