//! Pure types and rules shared by the server and the browser. No I/O here.
pub mod analytics;
pub mod audit;
pub mod error;
pub mod money;
pub mod offer;
pub mod proration;
pub mod role;
pub mod rule;
pub mod subscription;
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
