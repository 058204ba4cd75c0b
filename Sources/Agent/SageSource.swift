import SageModel
import SageStore
import SyncCore
import TielineCore

/// A Sage company as the sync engine reads it: the agent's read boundary.
///
/// The embedded company store is one implementation; the ODBC reader (`ODBCSageSource`) reads a
/// real company through the system's ODBC driver manager. Neither is asked to write here.
public protocol SageSource: Sendable {
    /// Where the data comes from, for messages (a file path, or a redacted ODBC connection string).
    var location: String { get }
    /// Whether the source records deletions itself (the embedded store's tombstones); without
    /// them, deletions are found by a key scan against the agent's key ledger.
    var recordsDeletions: Bool { get }
    /// Whether the company owns Project Management (PJ).
    func ownsPJ() throws(TielineError) -> Bool
    /// The company's change marker now: no row changed after this has a Row_Version at or below it.
    func currentRowVersion() throws(TielineError) -> Int64
    /// A reader of one entity's `columns` (in that order), cut at `startDate` for dated entities.
    func reader(for entity: SyncEntity, columns: [String], startDate: CalendarDate?) throws(TielineError) -> any SageEntityReader
}

/// Reads one entity in change-marker order, one bounded chunk at a time.
public protocol SageEntityReader: Sendable {
    /// True when positions are the reader's own change markers (Date_Stamp/Time_Stamp), not the
    /// company's Row_Versions: the run's Row_Version cap does not apply, and a Deep run's checkpoint
    /// is the last marker read (no tombstones can hide below it).
    var ownsMarkers: Bool { get }
    /// The next chunk after `position`.
    func read(after position: Int64, bound: EntityReader.Bound, mode: EntityReader.Mode) throws(TielineError) -> EntityReader.Chunk
    /// Rows a read from `position` will cover, for progress and ETA.
    func estimate(after position: Int64, cap: Int64?, mode: EntityReader.Mode) throws(TielineError) -> Int
    /// Every key the table holds now (whatever the timeframe), in chunks of at most `chunk`.
    func scanKeys(chunk: Int, _ each: ([[SyncValue]]) throws(TielineError) -> Void) throws(TielineError)
}

/// The embedded company store as a sync source.
public struct EmbeddedSageSource: SageSource {
    public let company: SageCompany
    public let location: String

    public init(company: SageCompany, location: String) {
        self.company = company
        self.location = location
    }

    public var recordsDeletions: Bool { true }
    public func ownsPJ() throws(TielineError) -> Bool { try company.ownsPJ() }
    public func currentRowVersion() throws(TielineError) -> Int64 { try company.currentRowVersion() }
    public func reader(for entity: SyncEntity, columns: [String], startDate: CalendarDate?) throws(TielineError) -> any SageEntityReader {
        try EntityReader(company: company, entity: entity, columns: columns, startDate: startDate)
    }
}

extension LocalConnection {
    /// Where the company is, for people: its file, or `ODBC <connection string without password>`.
    public var location: String { odbc.map { "ODBC \($0.redacted)" } ?? sagePath }

    /// The connection's company as a sync source; `home` opens a sealed ODBC password.
    public func openSource(home: TielineHome?) throws(TielineError) -> any SageSource {
        if let odbc { return try ODBCSageSource(connection: name, settings: odbc, home: home) }
        return EmbeddedSageSource(company: try openCompany(), location: sagePath)
    }
}

extension SyncEntity {
    /// Where each key column sits among `columns`: a reader must read the whole key.
    func keyIndexes(in columns: [String]) throws(TielineError) -> [Int] {
        var indexes: [Int] = []
        for key in table.key {
            guard let index = columns.firstIndex(of: key) else {
                throw TielineError(.invalidInput, "\(name): key column \(key) is not among the columns read")
            }
            indexes.append(index)
        }
        return indexes
    }
}
