/// Sage 300 CRE's rules as data, so the hub's validation, the agent, the doctor and the embedded
/// store's triggers read one definition instead of each spelling the value or the length itself.
public enum SageRules {
    /// The CN contract status that takes change orders: Sage refuses a change order on a contract in
    /// any other status.
    public static let contractStatusTakingChangeOrders = "Approved"

    /// CN contract statuses (`Status` of `CNC_ACTIVE__CONTRACT`; the values are inferred, like the table).
    public static let contractStatuses = ["Pending", contractStatusTakingChangeOrders, "Closed"]

    /// JC job statuses (`Status` of `JCM_MASTER__JOB`): a replica's views show `Unstarted` and `Closed`;
    /// `In progress` is inferred.
    public static let jobStatuses = ["Unstarted", "In progress", "Closed"]

    /// Sage's length of a change order's number (`CNC_ACTIVE__CHANGE_ORDER.Change_Order`), read from the schema.
    public static let changeOrderLength = length(SageSchema.changeOrder, "Change_Order")

    /// Sage's length of a change order's title (`CNC_ACTIVE__CHANGE_ORDER.Description`), read from the schema.
    public static let changeOrderDescriptionLength = length(SageSchema.changeOrder, "Description")

    /// The text length of `column` in `table`; a rule naming a column the schema lacks is a programming error.
    static func length(_ table: SageTable, _ column: String) -> Int {
        guard let length = table.column(column)?.kind.length else {
            preconditionFailure("\(table.name).\(column) is not a text column of SageSchema")
        }
        return length
    }
}
