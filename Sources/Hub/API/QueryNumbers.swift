import Hummingbird
import TielineCore

/// Numeric query and path parameters, range-checked before any arithmetic: a number outside its
/// range is a 400 naming the range, never a trap (an agent token must not be able to crash the hub).
public enum QueryNumbers {
    /// The largest page number any listing accepts; `(page - 1) * per_page` stays far from overflow.
    static let maxPage = 1_000_000

    /// `name` from the query, `fallback` when absent; not a whole number in `range` → `invalid_input`.
    static func integer(_ request: Request, _ name: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let raw = request.uri.queryParameters[Substring(name)] else { return fallback }
        guard let value = Int(raw), range.contains(value) else {
            throw TielineError(.invalidInput, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound) (got '\(raw.prefix(40))')")
        }
        return value
    }

    /// The `:id` path parameter of an export: a positive 64-bit number (the API's and the console's routes).
    public static func id(_ context: some RequestContext, _ name: String = "id") throws -> Int64 {
        let raw = try context.parameters.require(name)
        guard let value = Int64(raw), value >= 1 else {
            throw TielineError(.invalidInput, "\(name) must be a whole number from 1 to \(Int64.max) (got '\(raw.prefix(40))')")
        }
        return value
    }

    /// The row offset of a page, refused rather than overflowing when a caller bypasses the routes' checks.
    static func offset(page: Int, perPage: Int) throws -> Int {
        let (offset, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        guard page >= 1, page <= maxPage, perPage >= 1, !overflow else {
            throw TielineError(.invalidInput, "page must be from 1 to \(maxPage) (got \(page)) and per_page at least 1 (got \(perPage))")
        }
        return offset
    }
}
