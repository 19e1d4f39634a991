//! Save offers by cancel reason: how many subscribers asked to cancel, how many got a save
//! offer (the rest: no rule, or the hold-out), how many stayed, and the monthly recurring
//! revenue they kept. Per currency: money is never summed across currencies.
use super::stats::wilson;
use serde::{Deserialize, Serialize};

/// What the database counts per reason and currency (no currency: no offer was made).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaveCount {
    pub reason: String,
    pub currency: Option<String>,
    pub requests: i64,
    pub offered: i64,
    pub held_out: i64,
    pub saved: i64,
    pub cancelled: i64,
    pub retained: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveRow {
    pub reason: String,
    pub currency: Option<String>,
    pub requests: i64,
    pub offered: i64,
    pub held_out: i64,
    pub saved: i64,
    pub cancelled: i64,
    /// Monthly recurring revenue kept by accepted save offers, in minor units.
    pub retained: i64,
    /// Saved out of offered, with its 95% Wilson interval (percent).
    pub save_rate_pct: Option<f64>,
    pub save_rate_ci_pct: Option<(f64, f64)>,
}

pub fn save_rows(counts: Vec<SaveCount>) -> Vec<SaveRow> {
    let mut rows: Vec<SaveRow> = counts
        .into_iter()
        .map(|c| SaveRow {
            save_rate_pct: (c.offered > 0).then(|| 100.0 * c.saved as f64 / c.offered as f64),
            save_rate_ci_pct: wilson(c.saved, c.offered).map(|(l, h)| (100.0 * l, 100.0 * h)),
            reason: c.reason,
            currency: c.currency,
            requests: c.requests,
            offered: c.offered,
            held_out: c.held_out,
            saved: c.saved,
            cancelled: c.cancelled,
            retained: c.retained,
        })
        .collect();
    rows.sort_by(|a, b| b.requests.cmp(&a.requests).then(a.reason.cmp(&b.reason)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_rate_is_saved_out_of_offered_with_an_interval() {
        let rows = save_rows(vec![
            SaveCount {
                reason: "other".into(),
                currency: None,
                requests: 2,
                offered: 0,
                held_out: 1,
                saved: 0,
                cancelled: 2,
                retained: 0,
            },
            SaveCount {
                reason: "too_expensive".into(),
                currency: Some("USD".into()),
                requests: 10,
                offered: 8,
                held_out: 2,
                saved: 4,
                cancelled: 6,
                retained: 12_000,
            },
        ]);
        assert_eq!(rows[0].reason, "too_expensive", "most asked first");
        assert_eq!(rows[0].save_rate_pct, Some(50.0));
        let (lo, hi) = rows[0].save_rate_ci_pct.unwrap();
        assert!(
            lo < 50.0 && hi > 50.0 && lo > 15.0 && hi < 85.0,
            "{lo} {hi}"
        );
        assert_eq!(rows[1].save_rate_pct, None, "no offers, no rate");
        assert_eq!(rows[1].save_rate_ci_pct, None);
    }
}
