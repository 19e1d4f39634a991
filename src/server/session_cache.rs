//! Signed-in users by session, kept for two seconds. Looking a session up was the largest part
//! of a signed-in page (a query through the pool for every request: a 4 KB page rendered 3,500
//! times a second signed in, 12,700 signed out). Every change that ends a session or changes
//! who it belongs to (sign-out, disable, remove, role, password) calls [`forget`] after its
//! commit, so this process never serves a revoked session; another instance of the app serves
//! it for at most [`KEEP`]. Only sessions found are kept: a guessed token always reaches the
//! database.
use crate::domain::role::CurrentUser;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

pub const KEEP: Duration = Duration::from_secs(2);
/// Past this many sessions the map starts over (a bound on memory, not a policy).
const MAX: usize = 10_000;

struct Kept {
    user: CurrentUser,
    at: Instant,
}

static KEPT: LazyLock<Mutex<HashMap<String, Kept>>> = LazyLock::new(Default::default);
/// Moves on every [`forget`]: a lookup that began before it does not keep what it read.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The user of a session looked up less than [`KEEP`] ago, and the generation to pass to
/// [`keep`] after reading the database otherwise.
pub fn get(token_hash: &str) -> Result<CurrentUser, u64> {
    let generation = GENERATION.load(Ordering::Acquire);
    let kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    match kept.get(token_hash) {
        Some(k) if k.at.elapsed() < KEEP => Ok(k.user.clone()),
        _ => Err(generation),
    }
}

pub fn keep(token_hash: &str, user: &CurrentUser, generation: u64) {
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    // Checked under the lock that `forget` clears under: no stale entry survives a forget.
    if GENERATION.load(Ordering::Acquire) != generation {
        return;
    }
    if kept.len() >= MAX {
        kept.clear();
    }
    kept.insert(
        token_hash.to_string(),
        Kept {
            user: user.clone(),
            at: Instant::now(),
        },
    );
}

/// Drops every kept session (after a change to sessions or users is committed).
pub fn forget() {
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    GENERATION.fetch_add(1, Ordering::AcqRel);
    kept.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;

    fn user() -> CurrentUser {
        CurrentUser {
            id: "usr_1".into(),
            email: "a@example.com".into(),
            role: Role::Merchant,
        }
    }

    #[test]
    fn a_lookup_begun_before_a_forget_keeps_nothing() {
        let g = get("h_test_1").unwrap_err();
        keep("h_test_1", &user(), g);
        assert!(get("h_test_1").is_ok());
        let g = get("h_test_2").unwrap_err();
        forget();
        keep("h_test_2", &user(), g);
        assert!(get("h_test_2").is_err());
        assert!(get("h_test_1").is_err(), "a forget drops what was kept");
    }
}
