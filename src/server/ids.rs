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
