//! Components and pages, one module per screen, plus small shared widgets.
pub mod analytics;
pub mod errors;
pub mod home;
pub mod i18n;
pub mod layout;
pub mod login;
pub mod offer;
#[cfg(feature = "hydrate")]
pub mod pending;
pub mod rules;
pub mod sandbox;
pub mod settings;
pub mod subscriptions;
pub mod users;
pub mod widgets;

/// Percent-encodes a query value (written out: one loop is not worth a URL crate in the wasm).
pub(crate) fn query_value(v: &str) -> String {
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
