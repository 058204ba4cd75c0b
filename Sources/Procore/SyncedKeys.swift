import TielineCore

/// The ERP identities Tieline reports back to Procore once a PCCO is in Sage.
public struct SageKeys: Sendable, Hashable, Codable {
    /// The change order's origin id (e.g. `24-118/007`: Contract / Change_Order).
    public var changeOrder: String
    /// The Sage change order number reported as `origin_code`.
    public var changeOrderCode: String
    /// Origin id per PCCO line item id.
    public var lines: [Int: String]
    /// Origin id per markup line item id.
    public var markups: [Int: String]

    public init(changeOrder: String, changeOrderCode: String, lines: [Int: String], markups: [Int: String]) {
        self.changeOrder = changeOrder
        self.changeOrderCode = changeOrderCode
        self.lines = lines
        self.markups = markups
    }

    /// Keys from the Row_IDs of what Sage holds: the change order's for the PCCO, its item's for each line,
    /// the destination estimate change's for each markup. Sage replicas and Procore's own ERP examples use
    /// such GUIDs as origin ids. `estimates` is keyed `costCode|category`.
    public static func rowIDs(for export: ChangeOrderExport, changeOrder: String, items: [String: String],
                              estimates: [String: String]) -> SageKeys {
        let fallback = standard(for: export)
        var lines: [Int: String] = [:]
        var markups: [Int: String] = [:]
        for line in export.lines {
            lines[line.procoreID] = items[line.contractItem] ?? fallback.lines[line.procoreID]
            for m in line.markups { markups[m.procoreID] = estimates["\(m.costCode)|\(m.category)"] ?? fallback.markups[m.procoreID] }
        }
        return SageKeys(changeOrder: changeOrder, changeOrderCode: SageText.normalized(export.number), lines: lines, markups: markups)
    }

    /// Keys derived from Sage's natural keys: Contract/Change_Order[/Item[/markup id]].
    public static func standard(for export: ChangeOrderExport) -> SageKeys {
        let base = "\(export.contract)/\(export.number)"
        var lines: [Int: String] = [:]
        var markups: [Int: String] = [:]
        for line in export.lines {
            lines[line.procoreID] = "\(base)/\(line.contractItem)/\(line.procoreID)"
            for m in line.markups { markups[m.procoreID] = "\(base)/\(line.contractItem)/M\(m.procoreID)" }
        }
        return SageKeys(changeOrder: base, changeOrderCode: export.number, lines: lines, markups: markups)
    }
}
