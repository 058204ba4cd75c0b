import SageModel
/// What `tieline sample-company create` builds.
public struct SampleCompanySpec: Sendable, Hashable, Codable {
    public var name: String
    public var jobs: Int
    public var transactions: Int
    public var seed: UInt64
    /// Whether the company owns Project Management (PJ), with change requests and PJ change orders.
    public var withPJ: Bool
    /// JC transactions written per database transaction: bounds memory and keeps the file consistent.
    public var batchSize: Int

    public init(name: String = "Tieline Sample Construction", jobs: Int = 20, transactions: Int = 10_000,
                seed: UInt64 = 7, withPJ: Bool = false, batchSize: Int = 10_000) {
        self.name = name
        self.jobs = jobs
        self.transactions = transactions
        self.seed = seed
        self.withPJ = withPJ
        self.batchSize = batchSize
    }
}

/// In-memory shape of one generated job, kept only for coding its transactions.
struct SampleJob {
    struct CategoryRef: Hashable {
        let extra: String
        let costCode: String
        let category: String
    }

    let job: String
    let startDay: Int
    let customer: String
    var categories: [CategoryRef] = []
    var contractItems: [(item: String, ref: CategoryRef)] = []
    var hasContract: Bool { !contractItems.isEmpty }
}

/// The job that matches Procore's sample ERP request (../shared/procore): project 24-118,
/// prime contract 24-118 with items 100 (02-200/S) and 200 (03-300/M), markups to 01-900/O,
/// and an approved change order of 12,500.00 so the revised amount is 4,262,500.00.
enum RiversideClinic {
    static let job = "24-118"
    static let description = "Riverside Clinic"
    static let customer = "C0001"
    static let costCodes: [(String, [String])] = [("01-900", ["L", "O"]), ("02-200", ["S", "E"]), ("03-300", ["M", "L"]), ("26-000", ["S"])]
    static let items: [(item: String, description: String, costCode: String, category: String, cents: Int64)] = [
        ("100", "Sitework", "02-200", "S", 120_000_000),
        ("200", "Building", "03-300", "M", 305_000_000),
    ]
    static let changeOrderCents: Int64 = 1_250_000
}
