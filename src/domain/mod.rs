//! Pure types and rules shared by the server and the browser. No I/O here.
pub mod analytics;
pub mod audit;
pub mod customer_offer;
pub mod error;
pub mod money;
pub mod offer;
pub mod offer_action;
pub mod proration;
pub mod role;
pub mod rule;
pub mod subscription;
pub mod throttle;
pub mod time;

/// Percent-encodes a query value (written out: one loop is not worth a URL crate in the wasm).
pub fn query_value(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `k=v&…` for the pairs whose value is set, each value percent-encoded.
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", query_value(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::{query_string, query_value};

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(query_value("Asia/Kolkata"), "Asia%2FKolkata");
        assert_eq!(query_value("a b&c=d"), "a%20b%26c%3Dd");
        assert_eq!(query_value("pdt_Icon-1.2"), "pdt_Icon-1.2");
        assert_eq!(query_value("价"), "%E4%BB%B7");
    }

    #[test]
    fn query_strings_leave_out_unset_values() {
        assert_eq!(
            query_string([("from", "2026-11-01"), ("kind", ""), ("tz", "Asia/Kolkata")]),
            "from=2026-11-01&tz=Asia%2FKolkata"
        );
        assert_eq!(query_string([("q", "")]), "");
    }
}
