//! The issue taxonomy: stable codes with English labels. Trends compare counts across runs, so a
//! release that adds, removes or redefines a code bumps `TAXONOMY_VERSION`.

pub const TAXONOMY_VERSION: u32 = 1;

/// (code, English label), in display order.
pub const ISSUES: [(&str, &str); 18] = [
    ("defective", "Stopped working or defective"),
    ("durability", "Broke or not durable"),
    ("size_fit", "Size or fit"),
    ("quality", "Material or build quality"),
    ("missing_parts", "Missing parts"),
    ("damaged_on_arrival", "Damaged on arrival"),
    ("leaks", "Leaks"),
    ("smell", "Smell"),
    ("usability", "Hard to use or install"),
    ("instructions", "Poor instructions"),
    ("not_as_described", "Not as described"),
    ("battery", "Battery or charging"),
    ("noise", "Noise"),
    ("compatibility", "Compatibility"),
    ("customer_service", "Customer service"),
    ("delivery", "Delivery or packaging"),
    ("price_value", "Price or value"),
    ("safety", "Safety hazard"),
];

pub fn label(code: &str) -> &'static str {
    ISSUES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("Other")
}

pub fn is_code(code: &str) -> bool {
    ISSUES.iter().any(|(c, _)| *c == code)
}

/// Every code, in display order.
pub fn codes() -> Vec<&'static str> {
    ISSUES.iter().map(|(c, _)| *c).collect()
}
