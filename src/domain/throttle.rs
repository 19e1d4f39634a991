//! Sign-in throttling: a few free failures, then a wait that doubles with every further one,
//! per account and per client address. An attacker slows to a crawl; the account's owner is
//! never locked out for good (the wait is capped, and a quiet hour forgets the failures).

/// Failures in a row allowed per account, and per address (a shared office network), before
/// each further try waits.
pub const FREE_PER_ACCOUNT: i64 = 5;
pub const FREE_PER_ADDRESS: i64 = 20;
/// The longest wait between tries.
pub const MAX_WAIT_MS: i64 = 15 * 60_000;
/// A quiet spell this long forgets the failures.
pub const FORGET_AFTER_MS: i64 = 60 * 60_000;

/// How long the next try waits after `failures` failures in a row: nothing within the free
/// allowance, then 1 s, 2 s, 4 s … up to `MAX_WAIT_MS`.
pub fn wait_ms(failures: i64, free: i64) -> i64 {
    if failures <= free {
        return 0;
    }
    let doublings = (failures - free - 1).min(30) as u32;
    1000i64.saturating_mul(1 << doublings).min(MAX_WAIT_MS)
}

/// "Try again in 8 seconds" / "in 3 minutes": the wait, rounded up, as people say it.
pub fn wait_text(ms: i64) -> String {
    let s = (ms.max(1) + 999) / 1000;
    if s < 120 {
        format!("{s} second{}", if s == 1 { "" } else { "s" })
    } else {
        format!("{} minutes", (s + 59) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_failures_then_a_doubling_wait_with_a_cap() {
        assert_eq!(wait_ms(0, 5), 0);
        assert_eq!(wait_ms(5, 5), 0);
        assert_eq!(wait_ms(6, 5), 1000);
        assert_eq!(wait_ms(7, 5), 2000);
        assert_eq!(wait_ms(10, 5), 16_000);
        assert_eq!(wait_ms(16, 5), MAX_WAIT_MS, "capped: 1024 s is over 15 min");
        assert_eq!(wait_ms(i64::MAX, 5), MAX_WAIT_MS, "no overflow");
        assert_eq!(wait_ms(21, 20), 1000);
    }

    #[test]
    fn waits_read_as_people_say_them() {
        assert_eq!(wait_text(1), "1 second");
        assert_eq!(wait_text(1000), "1 second");
        assert_eq!(wait_text(1001), "2 seconds");
        assert_eq!(wait_text(119_000), "119 seconds");
        assert_eq!(wait_text(MAX_WAIT_MS), "15 minutes");
    }
}
