import Foundation
import Procore

/// The documented shapes of Procore payloads the sandbox sends, so that it never sends less than
/// Procore documents: every field of the ERP Events Dictionary's `create_prime_contract_change_order`
/// example (procore/documentation, erp_integration/erp_events_dictionary.md) with neutral values — null,
/// false, empty lists and no custom fields — wherever the sandbox has nothing to say.
enum DocumentedShapes {
    /// `request_data` of `create_prime_contract_change_order`, reduced to its field names.
    static let createPrimeContractChangeOrder: JSONValue = {
        let text = #"""
{"prime_contract":{"accounting_method":null,"actual_completion_date":null,"approval_letter_date":null,"approve
d_change_orders":null,"architect":null,"attachments":[],"contract_date":null,"contract_estimated_completion_da
te":null,"contract_start_date":null,"contract_termination_date":null,"contractor":{"id":null},"created_at":nul
l,"created_by":{"id":null,"login":null,"name":null},"custom_fields":{},"deleted_at":null,"description":null,"d
raft_change_orders_amount":null,"exclusions":null,"executed":null,"execution_date":null,"grand_total":null,"ha
s_change_order_packages":false,"has_potential_change_orders":false,"id":null,"inclusions":null,"issued_on_date
":null,"letter_of_intent_date":null,"number":null,"origin_code":null,"origin_data":null,"origin_id":null,"orig
inal_substantial_completion_date":null,"outstanding_balance":null,"owner_invoices_amount":null,"pending_change
_orders_amount":null,"pending_revised_contract_amount":null,"percentage_paid":null,"private":false,"retainage_
percent":null,"returned_date":null,"revised_contract_amount":null,"show_line_items_to_non_admins":null,"signed
_contract_received_date":null,"status":null,"substantial_completion_date":null,"title":null,"total_payments":n
ull,"updated_at":null,"vendor":{"id":null}},"prime_contract_change_order":{"approved_on":null,"contract_id":nu
ll,"created_at":null,"custom_fields":{},"deleted_at":null,"description":null,"due_date":null,"erp_custom_field
s":{"transaction_date":null},"executed":false,"id":null,"invoiced_date":null,"number":null,"origin_code":null,
"origin_data":null,"origin_id":null,"paid_date":null,"reviewed_at":null,"status":null,"title":null,"updated_at
":null},"prime_contract_change_order_items":[{"amount":null,"commitment_line_item_id":null,"company":{"id":nul
l,"name":null},"cost_code":{"biller":null,"biller_id":null,"biller_origin_id":null,"biller_type":null,"budgete
d":false,"code":null,"created_at":null,"deleted_at":null,"full_code":null,"id":null,"line_item_types":[{"base_
type":null,"code":null,"id":null,"name":null,"origin_id":null}],"name":null,"origin_data":null,"origin_id":nul
l,"parent":{"id":null},"position":null,"sortable_code":null,"standard_cost_code_id":null,"updated_at":null},"c
reated_at":null,"description":null,"erp_custom_fields":{},"extended_amount":null,"extended_type":null,"holder"
:{"holder_type":null,"id":null},"id":null,"line_item_type":{"base_type":null,"code":null,"id":null,"name":null
,"origin_data":null,"origin_id":null},"markup_line_items":[{"amount":null,"created_at":null,"id":null,"markup"
:{"can_export_estimate_markup":false,"compounds_markups_above":false,"created_at":null,"destination_budget_lin
e_item_id":null,"destination_cost_code":{"full_code":null,"id":null,"name":null,"origin_data":null,"origin_id"
:null},"destination_line_item_type":{"base_type":null,"code":null,"id":null,"name":null,"origin_data":null,"or
igin_id":null},"destination_sub_job":{},"id":null,"markup_set":null,"name":null,"percentage":null,"position":n
ull,"prime_line_item":{"id":null,"origin_id":null},"updated_at":null},"updated_at":null}],"origin_code":null,"
origin_data":null,"origin_id":null,"position":null,"prime_line_item_id":null,"prime_line_item_origin_code":nul
l,"prime_line_item_origin_data":null,"prime_line_item_origin_id":null,"project":{"id":null,"name":null,"origin
_data":null,"origin_id":null},"quantity":null,"tax_amount":null,"tax_code_id":null,"total_amount":null,"unit_c
ost":null,"uom":null,"updated_at":null}],"prime_contract_items":[{"amount":null,"commitment_line_item_id":null
,"company":{"id":null,"name":null},"cost_code":{"biller":null,"biller_id":null,"biller_origin_id":null,"biller
_type":null,"budgeted":false,"code":null,"created_at":null,"deleted_at":null,"full_code":null,"id":null,"line_
item_types":[{"base_type":null,"code":null,"id":null,"name":null,"origin_id":null}],"name":null,"origin_data":
null,"origin_id":null,"parent":{"id":null},"position":null,"sortable_code":null,"standard_cost_code_id":null,"
updated_at":null},"created_at":null,"description":null,"erp_custom_fields":{},"extended_amount":null,"extended
_type":null,"holder":{"holder_type":null,"id":null},"id":null,"line_item_type":{"base_type":null,"code":null,"
id":null,"name":null,"origin_data":null,"origin_id":null},"origin_code":null,"origin_data":null,"origin_id":nu
ll,"position":null,"prime_line_item_id":null,"project":{"id":null,"name":null,"origin_data":null,"origin_id":n
ull},"quantity":null,"tax_amount":null,"tax_code_id":null,"total_amount":null,"unit_cost":null,"uom":null,"upd
ated_at":null}],"project":{"id":null,"name":null,"origin_code":null,"origin_data":null,"origin_id":null},"requ
est_detail_id":null}
"""#.replacingOccurrences(of: "\n", with: "")
        return try! JSONValue.parse(Data(text.utf8), context: "documented shape")
    }()

    /// `value` with every field of `template` it lacks added (neutral), recursively; an array's first
    /// template element shapes each of its elements. What `value` has is never changed.
    static func complete(_ value: JSONValue, with template: JSONValue) -> JSONValue {
        switch (value, template) {
        case (.object(var fields), .object(let shape)):
            for (key, part) in shape {
                if let present = fields[key] {
                    fields[key] = complete(present, with: part)
                } else {
                    fields[key] = neutral(part)
                }
            }
            return .object(fields)
        case (.array(let items), .array(let shape)):
            guard let element = shape.first else { return value }
            return .array(items.map { complete($0, with: element) })
        default:
            return value
        }
    }

    /// What a missing field gets: objects keep their shape (with neutral members), lists are empty.
    static func neutral(_ template: JSONValue) -> JSONValue {
        switch template {
        case .object(let shape): return .object(shape.mapValues(neutral))
        case .array: return .array([])
        default: return template
        }
    }
}
