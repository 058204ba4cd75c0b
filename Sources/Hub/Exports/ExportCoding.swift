import Foundation
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

    /// The columns storage indexes an export by, derived from the record so they never disagree.
    static func columns(_ export: HubExport) -> (status: String, claimedUntil: Double?, writeBackDue: Double?, updatedAt: Double) {
        (export.status.rawValue,
         // An agent's lease: an export it writes, or one it checks against Sage.
         export.status == .exporting || export.status == .checking ? export.claimedUntil?.timeIntervalSince1970 : nil,
         export.writeBack?.dueAt.timeIntervalSince1970,
         export.updatedAt.timeIntervalSince1970)
    }
}
