import Foundation
import GRDB
import SageModel
import TielineCore

/// A small, hand-written company (`tieline sample-company create --from company.json`): customers,
/// jobs with cost codes and categories, and approved CN contracts with items. Documented in
/// docs/company-file.md; every problem is reported with its place in the file.
public struct CompanyFile: Sendable, Hashable, Codable {
    public var name: String
    /// Owns Project Management (PJ).
    public var withPJ: Bool?
    public var customers: [Customer]
    public var jobs: [Job]

    // Every type lists its keys, so a field the file misspells is refused by name instead of ignored.
    enum CodingKeys: String, CodingKey, CaseIterable { case name, withPJ, customers, jobs }

    public struct Customer: Sendable, Hashable, Codable {
        public var customer: String
        public var name: String

        enum CodingKeys: String, CodingKey, CaseIterable { case customer, name }
    }

    public struct Job: Sendable, Hashable, Codable {
        public var job: String
        public var description: String
        /// `Unstarted`, `In progress` (default) or `Closed`.
        public var status: String?
        public var customer: String
        public var estimatedStartDate: CalendarDate?
        public var costCodes: [CostCode]
        public var contracts: [Contract]?

        enum CodingKeys: String, CodingKey, CaseIterable { case job, description, status, customer, estimatedStartDate, costCodes, contracts }
    }

    public struct CostCode: Sendable, Hashable, Codable {
        public var costCode: String
        public var description: String
        public var categories: [Category]

        enum CodingKeys: String, CodingKey, CaseIterable { case costCode, description, categories }
    }

    public struct Category: Sendable, Hashable, Codable {
        public var category: String
        public var description: String?
        /// The original estimate (default 0.00).
        public var estimate: Money?

        enum CodingKeys: String, CodingKey, CaseIterable { case category, description, estimate }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            category = try c.decode(String.self, forKey: .category)
            description = try c.decodeIfPresent(String.self, forKey: .description)
            estimate = c.contains(.estimate) ? try CompanyFile.money(c, .estimate) : nil
        }
    }

    public struct Contract: Sendable, Hashable, Codable {
        public var contract: String
        public var description: String
        /// `Approved` (default; only an Approved contract takes change orders), `Pending` or `Closed`.
        public var status: String?
        /// Defaults to the job's customer.
        public var customer: String?
        public var contractDate: CalendarDate?
        public var items: [Item]

        enum CodingKeys: String, CodingKey, CaseIterable { case contract, description, status, customer, contractDate, items }
    }

    public struct Item: Sendable, Hashable, Codable {
        public var item: String
        public var description: String
        public var costCode: String
        public var category: String?
        /// The original scheduled value.
        public var amount: Money

        enum CodingKeys: String, CodingKey, CaseIterable { case item, description, costCode, category, amount }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            item = try c.decode(String.self, forKey: .item)
            description = try c.decode(String.self, forKey: .description)
            costCode = try c.decode(String.self, forKey: .costCode)
            category = try c.decodeIfPresent(String.self, forKey: .category)
            amount = try CompanyFile.money(c, .amount)
        }
    }

    /// An amount, whose mistakes keep their place in the file (Money alone knows only its field name).
    static func money<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Money {
        do { return try container.decode(Money.self, forKey: key) } catch let error as TielineError {
            let message = error.message.hasPrefix(key.stringValue + ": ") ? String(error.message.dropFirst(key.stringValue.count + 2)) : error.message
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [key], debugDescription: message))
        }
    }

    /// Reads a company file, naming the place of any mistake (`jobs[0].costCodes[1].description: ...`).
    ///
    /// A key the file format does not have and a status Sage does not have are refused too: either is a typo
    /// that would otherwise be ignored or land in Sage as a value no Sage screen offers.
    public static func load(_ data: Data, source: String) throws(TielineError) -> CompanyFile {
        do {
            if let json = try? JSONSerialization.jsonObject(with: data), let (path, allowed) = firstUnknownKey(json, shape: shape, path: "") {
                throw TielineError(.invalidInput, "\(path) is not a company-file field; here the fields are \(allowed.joined(separator: ", "))")
            }
            let file = try JSONDecoder().decode(CompanyFile.self, from: data)
            try file.checkStatuses()
            return file
        } catch let error as TielineError {
            throw TielineError(error.code, "\(source): \(error.message)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw TielineError(.invalidInput, "\(source): \(Self.path(context.codingPath + [key])) is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw TielineError(.invalidInput, "\(source): \(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            let underlying = (context.underlyingError as? TielineError)?.message ?? context.debugDescription
            throw TielineError(.invalidInput, "\(source): \(context.codingPath.isEmpty ? "" : Self.path(context.codingPath) + ": ")\(underlying)")
        } catch {
            throw TielineError(.invalidInput, "\(source): not a company file: \(error)")
        }
    }

    /// The keys each level of the file may hold, and the lists below it.
    struct Shape {
        let keys: [String]
        var lists: [String: Shape] = [:]
        init<K: CodingKey & CaseIterable>(_ keys: K.Type, lists: [String: Shape] = [:]) {
            self.keys = keys.allCases.map(\.stringValue)
            self.lists = lists
        }
    }

    static let shape = Shape(CodingKeys.self, lists: [
        "customers": Shape(Customer.CodingKeys.self),
        "jobs": Shape(Job.CodingKeys.self, lists: [
            "costCodes": Shape(CostCode.CodingKeys.self, lists: ["categories": Shape(Category.CodingKeys.self)]),
            "contracts": Shape(Contract.CodingKeys.self, lists: ["items": Shape(Item.CodingKeys.self)]),
        ]),
    ])

    /// The path of the first key `shape` does not allow, with the keys it does; wrong types are the decoder's to name.
    static func firstUnknownKey(_ value: Any, shape: Shape, path: String) -> (String, [String])? {
        guard let object = value as? [String: Any] else { return nil }
        let prefix = path.isEmpty ? "" : path + "."
        if let unknown = object.keys.sorted().first(where: { !shape.keys.contains($0) }) { return (prefix + unknown, shape.keys) }
        for key in shape.keys {
            guard let child = shape.lists[key], let list = object[key] as? [Any] else { continue }
            for (index, element) in list.enumerated() {
                if let found = firstUnknownKey(element, shape: child, path: "\(prefix)\(key)[\(index)]") { return found }
            }
        }
        return nil
    }

    /// Job and contract statuses must be ones Sage has (docs/company-file.md lists them).
    func checkStatuses() throws(TielineError) {
        func check(_ status: String?, _ allowed: [String], _ path: String, _ what: String) throws(TielineError) {
            guard let status, !allowed.contains(status) else { return }
            let list = allowed.dropLast().map { "'\($0)'" }.joined(separator: ", ") + " or '\(allowed.last!)'"
            throw TielineError(.invalidInput, "\(path): '\(status)' is not a Sage \(what) status; use \(list)")
        }
        for (j, job) in jobs.enumerated() {
            try check(job.status, SageRules.jobStatuses, "jobs[\(j)].status", "job")
            for (n, contract) in (job.contracts ?? []).enumerated() {
                try check(contract.status, SageRules.contractStatuses, "jobs[\(j)].contracts[\(n)].status", "contract")
            }
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.reduce("") { text, key in
            if let index = key.intValue { return text + "[\(index)]" }
            return text.isEmpty ? key.stringValue : text + "." + key.stringValue
        }
    }

    /// Writes the company at `path` in one transaction; on any problem nothing is left behind.
    public func create(at path: String) throws(TielineError) -> SageCompany {
        let modules = withPJ == true ? SageModule.standard.union([.pj]) : SageModule.standard
        let company = try SageCompany.create(at: path, name: name, modules: modules)
        do {
            try company.write { db in try write(db) }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            throw error
        }
        return company
    }

    func write(_ db: Database) throws {
        let customerIDs = Set(customers.map(\.customer))
        for (i, customer) in customers.enumerated() {
            try at("customers[\(i)]") {
                try db.execute(sql: "INSERT INTO \(SageSchema.customer.name) (Customer, Name) VALUES (?, ?)",
                               arguments: [try Self.checked(SageSchema.customer, "Customer", customer.customer),
                                           try Self.checked(SageSchema.customer, "Name", customer.name)])
            }
        }
        for (j, job) in jobs.enumerated() {
            let place = "jobs[\(j)]"
            guard customerIDs.contains(job.customer) else {
                throw TielineError(.invalidInput, "\(place).customer: '\(job.customer)' is not among the file's customers")
            }
            let contracts = job.contracts ?? []
            let total = contracts.flatMap(\.items).map(\.amount).sum()
            try at(place) {
                try SageStore.Job(job: job.job, description: job.description, status: job.status ?? "In progress", customer: job.customer,
                                  originalContractAmount: total, estimatedStartDate: job.estimatedStartDate).insert(db)
            }
            var categories: Set<String> = []
            for (c, code) in job.costCodes.enumerated() {
                try at("\(place).costCodes[\(c)]") {
                    try SageStore.CostCode(job: job.job, costCode: code.costCode, description: code.description).insert(db)
                }
                for (k, category) in code.categories.enumerated() {
                    try at("\(place).costCodes[\(c)].categories[\(k)]") {
                        try SageStore.Category(job: job.job, costCode: code.costCode, category: category.category,
                                               description: category.description, originalEstimate: category.estimate ?? .zero).insert(db)
                    }
                    categories.insert("\(code.costCode)|\(category.category)")
                }
            }
            for (n, contract) in contracts.enumerated() {
                let contractPlace = "\(place).contracts[\(n)]"
                let customer = contract.customer ?? job.customer
                guard customerIDs.contains(customer) else {
                    throw TielineError(.invalidInput, "\(contractPlace).customer: '\(customer)' is not among the file's customers")
                }
                let amount = contract.items.map(\.amount).sum()
                try at(contractPlace) {
                    try SageStore.Contract(contract: contract.contract, job: job.job, customer: customer, description: contract.description,
                                           status: contract.status ?? SageRules.contractStatusTakingChangeOrders, contractDate: contract.contractDate,
                                           originalAmount: amount).insert(db)
                }
                for (m, item) in contract.items.enumerated() {
                    let itemPlace = "\(contractPlace).items[\(m)]"
                    let known = item.category.map { categories.contains("\(item.costCode)|\($0)") }
                        ?? categories.contains { $0.hasPrefix(item.costCode + "|") }
                    guard known else {
                        throw TielineError(.invalidInput, "\(itemPlace): cost code \(item.costCode)\(item.category.map { " / category \($0)" } ?? "") is not one of job \(job.job)'s cost codes")
                    }
                    try at(itemPlace) {
                        try SageStore.ContractItem(contract: contract.contract, item: item.item, description: item.description, job: job.job,
                                                   costCode: item.costCode, category: item.category, originalScheduledValue: item.amount).insert(db)
                    }
                }
            }
        }
    }

    /// Runs `body`, putting `place` in front of any error so the file's author finds the line.
    func at(_ place: String, _ body: () throws -> Void) throws {
        do { try body() } catch let error as TielineError {
            throw TielineError(error.code, "\(place): \(error.message)")
        } catch let error as DatabaseError {
            let translated = SageCompany.translate(error)
            let duplicate = error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY || error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            throw TielineError(translated.code, "\(place): \(duplicate ? "appears twice in the file" : translated.message)")
        }
    }

    /// `value` after Sage's length check for `column` of `table`.
    static func checked(_ table: SageTable, _ column: String, _ value: String) throws -> String {
        if case .text(let limit) = table.column(column)?.kind {
            try SageTable.checkLength(table: table.name, column: column, value: value, limit: limit)
        }
        return value
    }
}
