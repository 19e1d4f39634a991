use rand::RngCore;

/// An unguessable identifier: 128 random bits, hex, with a readable prefix.
pub fn new_id(prefix: &str) -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    format!("{prefix}_{}", hex::encode(b))
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A request path as the logs may keep it: an offer token is a bearer credential (whoever
/// holds it can accept the charge), so every path segment that is one is cut to its prefix.
pub fn log_path(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if crate::domain::offer::is_offer_token(seg) {
                "otk_…"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offer_tokens_never_reach_the_logs() {
        let t = "otk_0123456789abcdef0123456789abcdef";
        assert_eq!(log_path(&format!("/offer/{t}")), "/offer/otk_…");
        assert_eq!(
            log_path(&format!("/api/v1/offers/{t}/accept")),
            "/api/v1/offers/otk_…/accept"
        );
        assert_eq!(log_path("/rules/rul_1"), "/rules/rul_1");
        assert_eq!(log_path("/"), "/");
    }
}
