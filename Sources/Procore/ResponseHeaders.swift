import Foundation

/// Reads Procore's paging and rate-limit headers.
public enum ResponseHeaders {
    /// The `rel="next"` target of an RFC 8288 `Link` header, if any.
    public static func nextLink(_ link: String?) -> String? {
        guard let link else { return nil }
        for part in link.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            let isNext = pieces.dropFirst().contains { param in
                let kv = param.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                return kv.count == 2 && kv[0].lowercased() == "rel"
                    && kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")).split(separator: " ").contains("next")
            }
            if isNext { return String(target.dropFirst().dropLast()) }
        }
        return nil
    }

    /// Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date.
    public static func retryAfter(_ value: String?, now: Date) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds.isFinite { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}

/// What the last response said about the rate-limit window.
struct RateLimitState: Sendable {
    var limit: Int?
    var remaining: Int?
    /// When the window resets (from `X-Rate-Limit-Reset`, unix seconds).
    var reset: Date?

    mutating func update(limit: String?, remaining: String?, reset: String?) {
        if let l = limit.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) { self.limit = l }
        if let r = remaining.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) { self.remaining = r }
        if let s = reset.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) { self.reset = Date(timeIntervalSince1970: s) }
    }

    /// Seconds to wait before the next call so the window is never exceeded (0 = go now).
    func waitBeforeNextCall(now: Date, reserve: Int) -> Double {
        guard let remaining, remaining <= reserve, let reset else { return 0 }
        return max(0, reset.timeIntervalSince(now))
    }

    /// After waiting out the window the old numbers no longer apply.
    mutating func windowPassed(now: Date) {
        if let reset, reset <= now { remaining = nil }
    }
}
