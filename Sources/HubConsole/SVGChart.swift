import Foundation

/// A small line chart drawn on the server as SVG: no script, no image files, readable by screen
/// readers through its title and description.
struct SVGChart {
    struct Point {
        var at: Date
        var value: Double
    }

    var id: String
    var title: String
    /// What a value means, e.g. `rows/s` or `seconds`.
    var unit: String
    var points: [Point]
    var width = 600.0
    var height = 220.0

    /// The chart as SVG markup; every text in it is escaped.
    var svg: String {
        let left = 56.0, right = 16.0, top = 16.0, bottom = 34.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let sorted = points.sorted { $0.at < $1.at }
        let summary = sorted.isEmpty ? "No data yet."
            : "\(sorted.count) points from \(Self.day(sorted.first!.at)) to \(Self.day(sorted.last!.at)); latest \(Self.number(sorted.last!.value)) \(unit), highest \(Self.number(sorted.map(\.value).max()!)) \(unit)."
        var out = """
        <svg class="chart" id="\(id)" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="\(id)-title \(id)-desc" xmlns="http://www.w3.org/2000/svg">
        <title id="\(id)-title">\(Self.escape(title))</title><desc id="\(id)-desc">\(Self.escape(summary))</desc>
        <line x1="\(left)" y1="\(top + plotHeight)" x2="\(left + plotWidth)" y2="\(top + plotHeight)" stroke="#aab4be"/>
        <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(top + plotHeight)" stroke="#aab4be"/>
        """
        guard let first = sorted.first, let last = sorted.last else {
            out += "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\">No data yet</text></svg>"
            return out
        }
        let maxValue = Self.niceCeiling(sorted.map(\.value).max() ?? 1)
        let span = max(last.at.timeIntervalSince(first.at), 1)
        func x(_ date: Date) -> Double {
            sorted.count == 1 ? left + plotWidth / 2 : left + plotWidth * date.timeIntervalSince(first.at) / span
        }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - value / maxValue) }
        for fraction in [0.0, 0.5, 1.0] {
            let value = maxValue * fraction
            out += "<line x1=\"\(left)\" y1=\"\(Self.f(y(value)))\" x2=\"\(left + plotWidth)\" y2=\"\(Self.f(y(value)))\" stroke=\"#eef1f4\"/>"
            out += "<text x=\"\(left - 6)\" y=\"\(Self.f(y(value) + 4))\" text-anchor=\"end\">\(Self.escape(Self.number(value)))</text>"
        }
        out += "<text x=\"\(left)\" y=\"\(height - 8)\">\(Self.day(first.at))</text>"
        if sorted.count > 1 { out += "<text x=\"\(left + plotWidth)\" y=\"\(height - 8)\" text-anchor=\"end\">\(Self.day(last.at))</text>" }
        out += "<text x=\"\(left + 4)\" y=\"\(top + 10)\">\(Self.escape(unit))</text>"
        let path = sorted.map { "\(Self.f(x($0.at))),\(Self.f(y($0.value)))" }.joined(separator: " ")
        out += "<polyline fill=\"none\" stroke=\"#0b5cad\" stroke-width=\"2\" points=\"\(path)\"/>"
        for point in sorted {
            out += "<circle cx=\"\(Self.f(x(point.at)))\" cy=\"\(Self.f(y(point.value)))\" r=\"3\" fill=\"#0b5cad\"><title>\(Self.escape("\(Self.day(point.at)): \(Self.number(point.value)) \(unit)"))</title></circle>"
        }
        return out + "</svg>"
    }

    /// 1, 2 or 5 times a power of ten at or above `value`, so the axis reads in round numbers.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 5.0, 10.0] where step * power >= value { return step * power }
        return 10 * power
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func number(_ value: Double) -> String {
        value >= 100 || value == value.rounded() ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }

    static func day(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
