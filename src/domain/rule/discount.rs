//! A percentage off the offer, as Dodo's discount codes give it (CONTRACT §16.6: percentage
//! only, in basis points). Each offer gets its own single-use code, restricted to the offered
//! product and expiring with the offer, so a code seen on a checkout page cannot be reused.
use super::RuleAction;
use crate::domain::error::FieldError;
use serde::{Deserialize, Serialize};

pub const PERCENT_MAX: i32 = 90;
/// Three years of monthly renewals.
pub const CYCLES_MAX: i32 = 36;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discount {
    /// Whole percent off (0: none).
    #[serde(default)]
    pub percent: i32,
    /// A new subscription: the billing cycles it lasts, the first charge included (0: all).
    #[serde(default)]
    pub cycles: i32,
}

impl Discount {
    pub fn is_set(self) -> bool {
        self.percent > 0
    }
    /// Dodo's unit: `2000` is 20 %.
    pub fn basis_points(self) -> i64 {
        self.percent as i64 * 100
    }
    /// What the customer saves on `amount` (minor units of any currency, yen included: the
    /// arithmetic is in the currency's smallest unit, rounded down, as the sandbox charges).
    pub fn saving(self, amount: i64) -> i64 {
        (amount as i128 * self.basis_points() as i128 / 10_000) as i64
    }
    /// `amount` after the discount.
    pub fn apply(self, amount: i64) -> i64 {
        amount - self.saving(amount)
    }
}

pub fn validate(d: Discount, action: RuleAction, errs: &mut Vec<FieldError>) {
    if !(0..=PERCENT_MAX).contains(&d.percent) {
        errs.push(FieldError::new(
            "discount.percent",
            "discount_range",
            format!("The discount must be between 0 and {PERCENT_MAX} percent."),
        ));
    } else if d.is_set() && matches!(action, RuleAction::PlanChange | RuleAction::FreeTime) {
        errs.push(FieldError::new(
            "discount.percent",
            "discount_plan_change",
            "A plan change is billed by Dodo's proration, which a discount code here does not \
             reduce: set the discount to 0, or offer a cheaper plan instead.",
        ));
    }
    if !(0..=CYCLES_MAX).contains(&d.cycles) {
        errs.push(FieldError::new(
            "discount.cycles",
            "cycles_range",
            format!("The discount lasts 1 to {CYCLES_MAX} billing cycles (0: every cycle)."),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(percent: i32) -> Discount {
        Discount { percent, cycles: 0 }
    }

    #[test]
    fn amounts_in_each_currencys_minor_units() {
        // $49.00 at 20 %: $9.80 off.
        assert_eq!(pct(20).saving(4900), 980);
        assert_eq!(pct(20).apply(4900), 3920);
        // €19.99 at 15 %: 299.85 cents, rounded down to 299 off.
        assert_eq!(pct(15).apply(1999), 1700);
        // ¥2,400 at 15 %: 360 yen off (the yen has no minor unit: the amount is in yen).
        assert_eq!(pct(15).apply(2400), 2040);
        // ¥999 at 10 %: 99.9 yen, rounded down: 99 off.
        assert_eq!(pct(10).saving(999), 99);
        assert_eq!(pct(0).apply(4900), 4900);
        assert_eq!(pct(90).apply(1), 1);
        // No overflow on a huge amount: the product is taken in 128 bits.
        assert_eq!(pct(90).apply(i64::MAX / 2), 461_168_601_842_738_791);
        assert_eq!(pct(25).basis_points(), 2500);
    }

    #[test]
    fn a_plan_change_cannot_be_discounted() {
        let mut errs = Vec::new();
        validate(pct(20), RuleAction::PlanChange, &mut errs);
        assert_eq!(errs[0].code, "discount_plan_change");
        let mut errs = Vec::new();
        validate(pct(20), RuleAction::OneTime, &mut errs);
        validate(
            Discount {
                percent: 20,
                cycles: 3,
            },
            RuleAction::NewSubscription,
            &mut errs,
        );
        assert!(errs.is_empty(), "{errs:?}");
        validate(pct(91), RuleAction::OneTime, &mut errs);
        validate(
            Discount {
                percent: 10,
                cycles: -1,
            },
            RuleAction::NewSubscription,
            &mut errs,
        );
        let codes: Vec<&str> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["discount_range", "cycles_range"]);
    }
}
