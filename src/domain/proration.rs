//! What a plan change bills now, under each of Dodo's proration modes (CONTRACT §9.5). The
//! sandbox charges with this, and the console explains it. Integer minor units throughout;
//! the share of the period left is kept as a ratio of milliseconds, never as a float sum.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProrationMode {
    ProratedImmediately,
    DifferenceImmediately,
    FullImmediately,
}

impl ProrationMode {
    pub const ALL: [ProrationMode; 3] = [
        ProrationMode::ProratedImmediately,
        ProrationMode::DifferenceImmediately,
        ProrationMode::FullImmediately,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ProrationMode::ProratedImmediately => "prorated_immediately",
            ProrationMode::DifferenceImmediately => "difference_immediately",
            ProrationMode::FullImmediately => "full_immediately",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// A plan as billed per period: unit price × quantity, in one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanPrice {
    pub unit_price: i64,
    pub quantity: i64,
}

impl PlanPrice {
    pub fn total(self) -> i64 {
        self.unit_price.saturating_mul(self.quantity)
    }
}

/// The current billing period, `[start, end)` in UTC milliseconds, and the moment of change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub start: i64,
    pub end: i64,
    pub now: i64,
}

impl Period {
    /// Milliseconds left and the period's length; a degenerate period counts as fully left.
    fn remaining(self) -> (i64, i64) {
        let len = (self.end - self.start).max(1);
        ((self.end - self.now).clamp(0, len), len)
    }

    /// The share of the period still ahead, for display and line items (0.0 – 1.0).
    pub fn remaining_factor(self) -> f64 {
        let (left, len) = self.remaining();
        left as f64 / len as f64
    }
}

/// `amount × num / den`, rounded half away from zero, without overflow.
fn scale(amount: i64, num: i64, den: i64) -> i64 {
    let p = amount as i128 * num as i128;
    let d = den.max(1) as i128;
    let q = (p.abs() + d / 2) / d;
    (if p < 0 { -q } else { q }) as i64
}

/// The outcome of a change, as the preview's `immediate_charge.summary` reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    /// Charged now (never negative).
    pub total_amount: i64,
    /// Signed credit movement: < 0 credit used to offset the charge (the unused part of the
    /// old plan, then any balance held), > 0 credit added for the customer (a downgrade).
    pub customer_credits: i64,
    /// What the new plan's line item bills: its share of the period (1.0 = the full price).
    pub proration_factor: f64,
    /// The new plan's price for that share, before credits.
    pub new_plan_charge: i64,
    /// `full_immediately` starts a new billing cycle at the moment of change.
    pub resets_cycle: bool,
    /// The subscription's credit balance after the change.
    pub balance_after: i64,
}

/// What changing from `old` to `new` bills now under `mode`, given the credit `balance` the
/// subscription already holds from earlier downgrades (Dodo uses it before charging).
///
/// * `difference_immediately`: the full price gap; a downgrade's gap becomes credit.
/// * `prorated_immediately`: the gap for the part of the period still ahead (new plan for
///   the time left, minus the unused value of the old plan); a negative result is credit.
/// * `full_immediately`: the full new price, no credit for unused time, a new cycle.
pub fn quote(
    mode: ProrationMode,
    old: PlanPrice,
    new: PlanPrice,
    period: Period,
    balance: i64,
) -> Quote {
    let (left, len) = period.remaining();
    let (gross, offset, factor) = match mode {
        ProrationMode::DifferenceImmediately => (new.total(), old.total(), 1.0),
        ProrationMode::ProratedImmediately => (
            scale(new.total(), left, len),
            scale(old.total(), left, len),
            period.remaining_factor(),
        ),
        ProrationMode::FullImmediately => (new.total(), 0, 1.0),
    };
    let net = gross - offset;
    let balance = balance.max(0);
    let (total, credits, balance_after) = if net >= 0 {
        let used = balance.min(net);
        (net - used, -(offset + used), balance - used)
    } else {
        (0, -net, balance - net)
    };
    Quote {
        total_amount: total,
        customer_credits: credits,
        proration_factor: factor,
        new_plan_charge: gross,
        resets_cycle: mode == ProrationMode::FullImmediately,
        balance_after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProrationMode::*;

    const DAY: i64 = 86_400_000;

    const fn plan(unit_price: i64, quantity: i64) -> PlanPrice {
        PlanPrice {
            unit_price,
            quantity,
        }
    }
    const BASIC: PlanPrice = plan(3000, 1);
    const PRO: PlanPrice = plan(8000, 1);

    fn half_way() -> Period {
        Period {
            start: 0,
            end: 30 * DAY,
            now: 15 * DAY,
        }
    }

    #[test]
    fn modes_round_trip() {
        for m in ProrationMode::ALL {
            assert_eq!(ProrationMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(ProrationMode::parse("do_not_bill"), None);
    }

    #[test]
    fn difference_upgrade_charges_the_gap() {
        // Dodo's example: $30 → $80 charges $50.
        let q = quote(DifferenceImmediately, BASIC, PRO, half_way(), 0);
        assert_eq!((q.total_amount, q.new_plan_charge), (5000, 8000));
        assert_eq!(q.customer_credits, -3000, "the old price offsets the new");
        assert!(!q.resets_cycle);
    }

    #[test]
    fn difference_downgrade_credits_the_gap() {
        // $80 → $30 credits $50, kept for the next renewal.
        let q = quote(DifferenceImmediately, PRO, BASIC, half_way(), 0);
        assert_eq!((q.total_amount, q.customer_credits), (0, 5000));
        assert_eq!(q.balance_after, 5000);
    }

    #[test]
    fn prorated_upgrade_half_way_charges_half_the_gap() {
        // The contract's worked example: $25, with the unused $15 of Basic as the offset.
        let q = quote(ProratedImmediately, BASIC, PRO, half_way(), 0);
        assert_eq!(
            (q.total_amount, q.customer_credits, q.new_plan_charge),
            (2500, -1500, 4000)
        );
        // Dodo's preview shape: the new plan's line plus the (negative) credit is the charge.
        assert_eq!(q.new_plan_charge + q.customer_credits, q.total_amount);
        assert!((q.proration_factor - 0.5).abs() < 1e-9);
    }

    #[test]
    fn prorated_upgrade_a_third_of_the_way() {
        // 20 of 30 days left: (8000 − 3000) × 2/3 = 3333.33 → 3333 (rounded half away).
        let p = Period {
            start: 0,
            end: 30 * DAY,
            now: 10 * DAY,
        };
        let q = quote(ProratedImmediately, BASIC, PRO, p, 0);
        assert_eq!(q.new_plan_charge, 5333);
        assert_eq!(q.total_amount, 5333 - 2000);
        // At the very end of the period nothing is left to bill; before it starts, all of it.
        let end = Period { now: 30 * DAY, ..p };
        assert_eq!(
            quote(ProratedImmediately, BASIC, PRO, end, 0).total_amount,
            0
        );
        let early = Period { now: -DAY, ..p };
        assert_eq!(
            quote(ProratedImmediately, BASIC, PRO, early, 0).total_amount,
            5000
        );
    }

    #[test]
    fn prorated_downgrade_credits_the_unused_gap() {
        let q = quote(ProratedImmediately, PRO, BASIC, half_way(), 0);
        assert_eq!((q.total_amount, q.customer_credits), (0, 2500));
    }

    #[test]
    fn full_charges_the_new_price_and_resets_the_cycle() {
        let q = quote(FullImmediately, BASIC, PRO, half_way(), 0);
        assert_eq!((q.total_amount, q.customer_credits), (8000, 0));
        assert!(q.resets_cycle);
        // A downgrade under full_immediately still charges the new price: no credit.
        let q = quote(FullImmediately, PRO, BASIC, half_way(), 0);
        assert_eq!((q.total_amount, q.customer_credits), (3000, 0));
    }

    #[test]
    fn quantity_changes_scale_with_seats() {
        let three = plan(3000, 3);
        let q = quote(DifferenceImmediately, BASIC, three, half_way(), 0);
        assert_eq!(q.total_amount, 6000);
        let q = quote(ProratedImmediately, BASIC, three, half_way(), 0);
        assert_eq!(q.total_amount, 3000);
        let q = quote(DifferenceImmediately, three, BASIC, half_way(), 0);
        assert_eq!((q.total_amount, q.customer_credits), (0, 6000));
    }

    #[test]
    fn zero_amount_change_bills_nothing() {
        let same_price = plan(8000, 1);
        for mode in [DifferenceImmediately, ProratedImmediately] {
            let q = quote(mode, PRO, same_price, half_way(), 0);
            assert_eq!((q.total_amount, q.balance_after), (0, 0), "{mode:?}");
        }
    }

    #[test]
    fn held_credit_is_used_before_charging() {
        // $50 of credit from an earlier downgrade pays most of a $120 gap.
        let team = plan(15000, 1);
        let q = quote(DifferenceImmediately, BASIC, team, half_way(), 5000);
        assert_eq!(q.total_amount, 7000);
        assert_eq!(q.customer_credits, -(3000 + 5000));
        assert_eq!(q.balance_after, 0);
        // More credit than the charge: nothing charged, the rest kept.
        let q = quote(DifferenceImmediately, BASIC, PRO, half_way(), 9000);
        assert_eq!((q.total_amount, q.balance_after), (0, 4000));
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(scale(1, 1, 2), 1);
        assert_eq!(scale(-1, 1, 2), -1);
        assert_eq!(scale(5000, 1, 3), 1667);
        assert_eq!(scale(i64::MAX / 2, 2, 1), i64::MAX - 1);
    }
}
