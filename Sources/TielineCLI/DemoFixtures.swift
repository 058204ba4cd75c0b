/// Procore's sample `create_prime_contract_change_order` ERP request (from ../shared/procore),
/// embedded so `tieline demo` runs with no files around it.
enum DemoFixtures {
    static let erpRequest = #"""
{
  "request_name": "create_prime_contract_change_order",
  "request_data": {
    "project": {
      "id": 1204,
      "name": "24-118 - Riverside Clinic",
      "origin_id": "6f1d2c3a-8b4e-4f6a-9c1d-2e3f4a5b6c7d",
      "origin_data": null,
      "origin_code": "24-118"
    },
    "prime_contract": {
      "id": 311,
      "number": "RC-01",
      "title": "Riverside Clinic Prime Contract",
      "status": "Approved",
      "origin_id": "a1b2c3d4-0000-4000-8000-000000000311",
      "origin_code": "24-118",
      "origin_data": null,
      "grand_total": "4250000.00",
      "revised_contract_amount": "4262500.00",
      "retainage_percent": "10.0",
      "created_at": "2024-03-02T14:10:00Z",
      "updated_at": "2024-09-18T16:05:00Z"
    },
    "prime_contract_items": [
      {
        "id": 9001,
        "amount": "1200000.00",
        "description": "Sitework",
        "origin_code": "100",
        "origin_id": null,
        "cost_code": {"id": 501, "full_code": "02-200", "name": "Earthwork",
                      "origin_id": "c0000000-0000-4000-8000-000000000501", "origin_data": null},
        "line_item_type": {"id": 21, "code": "S", "name": "Subcontract", "origin_id": "d0000000-0000-4000-8000-000000000021"}
      },
      {
        "id": 9002,
        "amount": "3050000.00",
        "description": "Building",
        "origin_code": "200",
        "origin_id": null,
        "cost_code": {"id": 502, "full_code": "03-300", "name": "Cast-in-place concrete",
                      "origin_id": "c0000000-0000-4000-8000-000000000502", "origin_data": null},
        "line_item_type": {"id": 22, "code": "M", "name": "Material", "origin_id": "d0000000-0000-4000-8000-000000000022"}
      }
    ],
    "prime_contract_change_order": {
      "id": 7781,
      "contract_id": 311,
      "number": "007",
      "title": "Added storm drain",
      "description": "Owner requested a second storm drain run along the north lot line.",
      "status": "approved",
      "executed": false,
      "erp_custom_fields": {"transaction_date": "2024-09-20"},
      "origin_id": null,
      "origin_code": null,
      "origin_data": null,
      "reviewed_at": "2024-09-18T15:59:00Z",
      "approved_on": "2024-09-18T16:00:00Z",
      "created_at": "2024-09-10T09:00:00Z",
      "updated_at": "2024-09-18T16:05:00Z"
    },
    "prime_contract_change_order_items": [
      {
        "id": 88001,
        "description": "Storm drain trench and pipe",
        "amount": "11500.00",
        "extended_amount": "10000.00",
        "tax_amount": "0.00",
        "quantity": "1.0",
        "unit_cost": "10000.00",
        "uom": "ls",
        "prime_line_item_id": 9001,
        "prime_line_item_origin_code": "100",
        "cost_code": {"id": 501, "full_code": "02-200", "name": "Earthwork",
                      "origin_id": "c0000000-0000-4000-8000-000000000501", "origin_data": null},
        "line_item_type": {"id": 21, "code": "S", "name": "Subcontract", "origin_id": "d0000000-0000-4000-8000-000000000021"},
        "markup_line_items": [
          {
            "id": 64,
            "amount": "1500.00",
            "markup": {
              "id": 12,
              "name": "Overhead and profit",
              "percentage": "15.00",
              "markup_set": "vertical",
              "destination_cost_code": {"id": 590, "full_code": "01-900", "name": "General conditions",
                                        "origin_id": "c0000000-0000-4000-8000-000000000590", "origin_data": null},
              "destination_line_item_type": {"id": 25, "code": "O", "name": "Other",
                                             "origin_id": "d0000000-0000-4000-8000-000000000025"},
              "prime_line_item": {"id": 9001, "origin_id": null}
            }
          }
        ],
        "origin_id": null,
        "origin_code": null
      },
      {
        "id": 88002,
        "description": "Catch basin",
        "amount": "1000.00",
        "extended_amount": "1000.00",
        "tax_amount": "0.00",
        "quantity": "2.0",
        "unit_cost": "500.00",
        "uom": "ea",
        "prime_line_item_id": 9002,
        "prime_line_item_origin_code": "200",
        "cost_code": {"id": 502, "full_code": "03-300", "name": "Cast-in-place concrete",
                      "origin_id": "c0000000-0000-4000-8000-000000000502", "origin_data": null},
        "line_item_type": {"id": 22, "code": "M", "name": "Material", "origin_id": "d0000000-0000-4000-8000-000000000022"},
        "markup_line_items": [],
        "origin_id": null,
        "origin_code": null
      }
    ],
    "request_detail_id": 5120
  }
}
"""#
}
