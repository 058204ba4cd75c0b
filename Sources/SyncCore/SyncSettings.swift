import TielineCore

/// Deep re-reads everything in the timeframe; incremental reads only what changed.
public enum SyncType: String, Sendable, Hashable, Codable, CaseIterable {
    case deep, incremental

    /// The word hh2's Settings dialog shows.
    public var displayName: String { self == .deep ? "Deep" : "Incremental" }
}

/// How far back a sync reaches for dated records (transactions, invoices, change orders).
public enum Timeframe: Sendable, Hashable, Codable, CustomStringConvertible {
    case beginningOfTime
    case since(CalendarDate)
    case last(Int, TimeUnit)

    public enum TimeUnit: String, Sendable, Hashable, Codable {
        case days = "d", months = "m", years = "y"
    }

    /// Parses `beginning-of-time`, `since:YYYY-MM-DD` or `last:N(d|m|y)`.
    public init(parsing text: String) throws(TielineError) {
        let value = text.trimmingWhitespace().lowercased()
        let usage = "use beginning-of-time, since:YYYY-MM-DD or last:N followed by d, m or y (e.g. last:90d)"
        if value == "beginning-of-time" || value == "the beginning of time" {
            self = .beginningOfTime
        } else if value.hasPrefix("since:") {
            let date = String(value.dropFirst("since:".count))
            do {
                self = .since(try CalendarDate(parsing: date, field: "timeframe"))
            } catch {
                throw TielineError(.invalidTimeframe, "timeframe '\(text)': \(error.message); \(usage)")
            }
        } else if value.hasPrefix("last:"), let unit = value.last.flatMap({ TimeUnit(rawValue: String($0)) }) {
            let number = value.dropFirst("last:".count).dropLast()
            guard let count = Int(number), count > 0, count <= 100_000 else {
                throw TielineError(.invalidTimeframe, "timeframe '\(text)': '\(number)' is not a whole number from 1 to 100000; \(usage)")
            }
            self = .last(count, unit)
        } else {
            throw TielineError(.invalidTimeframe, "timeframe '\(text)' is not understood; \(usage)")
        }
    }

    /// The first date inside the timeframe, or nil for the beginning of time.
    public func startDate(today: CalendarDate) -> CalendarDate? {
        switch self {
        case .beginningOfTime: nil
        case .since(let date): date
        case .last(let n, .days): today.adding(days: -n)
        case .last(let n, .months): today.adding(months: -n)
        case .last(let n, .years): today.adding(months: -12 * n)
        }
    }

    /// The words a user sees, e.g. `The beginning of time`.
    public var description: String {
        switch self {
        case .beginningOfTime: "The beginning of time"
        case .since(let date): "Since \(date)"
        case .last(let n, let unit):
            "Last \(n) " + [TimeUnit.days: "day", .months: "month", .years: "year"][unit]! + (n == 1 ? "" : "s")
        }
    }

    /// The form `Timeframe(parsing:)` reads back.
    public var argument: String {
        switch self {
        case .beginningOfTime: "beginning-of-time"
        case .since(let date): "since:\(date)"
        case .last(let n, let unit): "last:\(n)\(unit.rawValue)"
        }
    }
}

/// The Sync tab's Settings dialog for one connection.
public struct SyncSettings: Sendable, Hashable, Codable {
    public var type: SyncType
    public var timeframe: Timeframe

    public init(type: SyncType = .incremental, timeframe: Timeframe = .beginningOfTime) {
        self.type = type
        self.timeframe = timeframe
    }
}

extension SyncType {
    /// Parses `deep` or `incremental`, in any case.
    public init(argument text: String) throws(TielineError) {
        guard let type = SyncType(rawValue: text.trimmingWhitespace().lowercased()) else {
            throw TielineError(.invalidSyncType, "sync type '\(text.clipped(40))' is not understood; use deep or incremental")
        }
        self = type
    }
}

extension TielineError.Code {
    public static let invalidSyncType = Self("invalid_sync_type")
}
