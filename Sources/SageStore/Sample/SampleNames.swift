import SageModel
/// Word lists for realistic names, kept short enough for Sage's field lengths.
enum SampleNames {
    static let customerTypes = ["Commercial", "Government", "Healthcare", "Education", "Residential"]
    static let companyWords = ["Summit", "Harbor", "Cedar", "Granite", "Pioneer", "Riverside", "Northgate", "Lakeview",
                               "Ironwood", "Bluestone", "Maple", "Crescent", "Frontier", "Keystone", "Meridian", "Oakridge"]
    static let customerSuffixes = ["Health", "Schools", "County", "Partners", "Holdings", "Properties", "City", "University"]
    static let vendorSuffixes = ["Concrete", "Electric", "Plumbing", "Steel", "Lumber", "Rentals", "Paving", "Glass",
                                 "Roofing", "Drywall", "Mechanical", "Supply"]
    static let projectKinds = ["Clinic", "School", "Library", "Fire Station", "Office", "Warehouse", "Parking Deck",
                               "Community Center", "Lab", "Dormitory", "Transit Hub", "Courthouse"]
    static let cities = [("Portland", "OR", "97201"), ("Boise", "ID", "83702"), ("Spokane", "WA", "99201"),
                         ("Reno", "NV", "89501"), ("Tacoma", "WA", "98402"), ("Eugene", "OR", "97401")]
    static let streets = ["Main St", "Oak Ave", "Industrial Way", "Harbor Blvd", "Cedar Ln", "Market St"]
    static let firstNames = ["Ana", "Ben", "Carla", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "June"]

    /// Standard cost codes (CSI-style) with descriptions.
    static let costCodes: [(String, String)] = [
        ("01-100", "General requirements"), ("01-500", "Temporary facilities"), ("01-900", "General conditions"),
        ("02-100", "Site preparation"), ("02-200", "Earthwork"), ("02-700", "Paving"), ("02-900", "Landscaping"),
        ("03-100", "Formwork"), ("03-300", "Cast-in-place concrete"), ("04-200", "Masonry"),
        ("05-100", "Structural steel"), ("06-100", "Rough carpentry"), ("07-200", "Insulation"),
        ("07-500", "Roofing"), ("08-100", "Doors and frames"), ("08-800", "Glazing"), ("09-200", "Drywall"),
        ("09-900", "Painting"), ("10-100", "Specialties"), ("21-000", "Fire suppression"),
        ("22-000", "Plumbing"), ("23-000", "HVAC"), ("26-000", "Electrical"), ("31-000", "Excavation"),
    ]

    /// Standard categories (cost types).
    static let categories: [(String, String)] = [
        ("L", "Labor"), ("M", "Material"), ("S", "Subcontract"), ("E", "Equipment"), ("O", "Other"),
    ]

    static let equipment = ["EX-210", "LD-044", "CR-090", "TR-118", "GN-007", "SK-301"]
    // Equipment_Type is 5 characters in Sage.
    static let equipmentTypes = ["EXCAV", "LOADR", "CRANE", "TRUCK", "GEN", "SKID"]
}
