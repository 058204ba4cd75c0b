import Foundation
import SyncCore

/// The job / cost code / category combinations a batch proves exist in Sage.
///
/// The PCCO preset mirrors no cost code or category table of its own, but Transaction (JC) rows
/// (each job's estimates among them), contract items and Quick Bill Contract Items carry them;
/// validation asks this small index instead of scanning a million transactions. Deletes leave it
/// alone: a cost code outlives its transactions in Sage, and the agent checks Sage again before writing.
enum CostCodeIndex {
    struct Entry: Hashable {
        var job: String
        var costCode: String
        /// Empty when the batch proves the cost code only.
        var category: String

        /// The entry a key spells (each part after its length; see `Collector.append`).
        init(key: UnsafeRawBufferPointer) {
            var offset = 0
            func part() -> String {
                let count = Int(key.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
                defer { offset += 4 + count }
                return String(decoding: UnsafeRawBufferPointer(rebasing: key[offset + 4 ..< offset + 4 + count]), as: UTF8.self)
            }
            job = part()
            costCode = part()
            category = part()
        }

        init(job: String, costCode: String, category: String) {
            self.job = job
            self.costCode = costCode
            self.category = category
        }
    }

    /// An entry in the form the sets compare: its three parts' bytes, each after its length.
    struct Key: Sendable {
        var bytes: [UInt8]
        var hash: UInt64
        var entry: Entry { bytes.withUnsafeBytes { Entry(key: $0) } }
    }

    /// Gathers the entries of scanned rows, skipping a row that repeats the one before (JC entries come in runs).
    struct Collector {
        let job: Int?
        let costCode: Int?
        let category: Int?
        /// The distinct entries seen, as keys.
        private(set) var keys = ByteKeySet(minimumCapacity: 1024)
        private var last: (job: UnsafeRawBufferPointer, costCode: UnsafeRawBufferPointer, category: UnsafeRawBufferPointer?)?
        private var key: [UInt8] = []

        init(columns: [String]) {
            job = columns.firstIndex(of: "Job")
            costCode = columns.firstIndex(of: "Cost_Code")
            category = job == nil || costCode == nil ? nil : columns.firstIndex(of: "Category")
        }

        mutating func add(_ row: [SyncWireValue]) {
            guard let job, let costCode, case .text(let j) = row[job], case .text(let c) = row[costCode], !j.isEmpty, !c.isEmpty else { return }
            var cat: UnsafeRawBufferPointer?
            if let category, case .text(let value) = row[category] { cat = value }
            if let last, Self.same(last.job, j), Self.same(last.costCode, c), Self.same(last.category, cat) { return }
            last = (j, c, cat)
            key.removeAll(keepingCapacity: true)
            Self.append(j, to: &key)
            Self.append(c, to: &key)
            Self.append(cat ?? UnsafeRawBufferPointer(start: nil, count: 0), to: &key)
            key.withUnsafeBytes { _ = keys.insert($0, hash: ByteKeySet.hash($0)) }
        }

        /// Appends a part after its length (four little-endian bytes), so no value can run into the next.
        static func append<Part: Collection<UInt8>>(_ part: Part, to key: inout [UInt8]) {
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: part.count).littleEndian) { key.append(contentsOf: $0) }
            key.append(contentsOf: part)
        }

        private static func same(_ a: UnsafeRawBufferPointer?, _ b: UnsafeRawBufferPointer?) -> Bool {
            guard let a, let b else { return a == nil && b == nil }
            return a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
        }
    }
}
