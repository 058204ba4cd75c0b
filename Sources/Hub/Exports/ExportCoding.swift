import Foundation
import Synchronization
import TielineCore

/// The JSON form records take in the hub database (both backends) — dates as seconds, exact to the microsecond.
enum ExportCoding {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw TielineError(.storageFailure, "a stored \(T.self) cannot be read: \(error)")
        }
    }

    /// Decoded exports by their stored JSON, shared by every storage of the process.
    static let decodedExports = DecodedExports(limit: 1024)

    /// A stored export, decoded once per stored form: an export is read again and again between changes
    /// (claimed, reported, told to Procore, shown), and decoding its JSON was the hub's largest cost in a burst.
    static func decodeExport(_ text: String) throws -> HubExport {
        if let known = decodedExports.lookup(text) { return known }
        let export = try decode(HubExport.self, text)
        decodedExports.remember(text, export)
        return export
    }

    /// An export's stored form; remembered, so reading it back costs no decoding.
    static func encodeExport(_ export: HubExport) throws -> String {
        let text = try encode(export)
        decodedExports.remember(text, export)
        return text
    }

    /// The columns storage indexes an export by, derived from the record so they never disagree.
    static func columns(_ export: HubExport) -> (status: String, claimedUntil: Double?, writeBackDue: Double?, updatedAt: Double) {
        (export.status.rawValue,
         // An agent's lease: an export it writes, or one it checks against Sage.
         export.status == .exporting || export.status == .checking ? export.claimedUntil?.timeIntervalSince1970 : nil,
         export.writeBack?.dueAt.timeIntervalSince1970,
         export.updatedAt.timeIntervalSince1970)
    }
}

/// A bounded map from an export's stored JSON to its decoded value (identical text decodes identically).
final class DecodedExports: Sendable {
    private let entries = Mutex<[String: HubExport]>([:])
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func lookup(_ text: String) -> HubExport? { entries.withLock { $0[text] } }

    func remember(_ text: String, _ export: HubExport) {
        entries.withLock { entries in
            // Dropped all at once when full: simpler than an LRU, and a burst refills it with what it uses.
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[text] = export
        }
    }
}
