//! The rule editor's fields as a browser posts them (`rule[name]`, `rule[min][USD]`): text as
//! typed, turned into a draft here, on the server, with the same readings the editor applies
//! as the merchant types. With JavaScript or without it the server gets the same form, so a
//! rule can be edited without the wasm.
use super::target::{codes, CustomerFilter, Targeting, ValueRange};
use super::{RuleDraft, RuleKind, Timing};
use crate::domain::offer_action::CancelReason;
use crate::domain::proration::ProrationMode;
use crate::domain::subscription::{parse_major, OnPaymentFailure};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A field the form leaves out keeps the draft's default (a control the editor did not show);
/// one sent but not readable becomes a number validation refuses with a message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleForm {
    pub id: String,
    pub version: String,
    pub name: String,
    pub kind: String,
    pub parent_rule_id: String,
    pub trigger_product_id: String,
    pub offer_product_id: String,
    #[serde(deserialize_with = "sent")]
    pub quantity: Option<String>,
    pub headline: String,
    pub value_prop: String,
    pub badge: String,
    pub timing: String,
    #[serde(deserialize_with = "sent")]
    pub expiry_minutes: Option<String>,
    /// A checkbox: sent ("on") when ticked, absent otherwise.
    #[serde(deserialize_with = "sent")]
    pub enabled: Option<String>,
    pub b_product_id: String,
    pub b_headline: String,
    #[serde(deserialize_with = "sent")]
    pub b_weight: Option<String>,
    #[serde(deserialize_with = "sent")]
    pub holdout: Option<String>,
    pub proration_mode: String,
    pub on_payment_failure: String,
    pub cancel_reason: String,
    #[serde(deserialize_with = "sent")]
    pub free_days: Option<String>,
    #[serde(deserialize_with = "sent")]
    pub discount_percent: Option<String>,
    #[serde(deserialize_with = "sent")]
    pub discount_cycles: Option<String>,
    /// Order value bounds by currency, in major units as typed ("49.00").
    pub min: BTreeMap<String, String>,
    pub max: BTreeMap<String, String>,
    pub customer: String,
    #[serde(deserialize_with = "sent")]
    pub min_quantity: Option<String>,
    #[serde(deserialize_with = "sent")]
    pub max_quantity: Option<String>,
    /// Codes as typed: "US, CA".
    pub currencies: String,
    pub countries: String,
    /// Ticked products, keyed by id.
    pub hold: BTreeMap<String, String>,
    pub start_local: String,
    pub end_local: String,
    pub zone: String,
}

/// A field that was sent, even empty (serde_qs reads an empty value as `None`).
fn sent<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    String::deserialize(d).map(Some)
}

/// A number as typed; what does not read as one is -1, which validation refuses with the
/// field's own message instead of the form failing as a whole.
pub fn number(text: &str) -> i32 {
    text.trim().parse().unwrap_or(-1)
}

fn number_or(text: &Option<String>, absent: i32) -> i32 {
    text.as_deref().map(number).unwrap_or(absent)
}

/// Sets or clears one bound of a currency's order value. Unreadable text becomes -1 (refused
/// with a message rather than the bound silently dropped); a currency with neither bound goes.
pub fn put_bound(t: &mut Targeting, currency: &str, text: &str, is_min: bool) {
    let v = if text.trim().is_empty() {
        None
    } else {
        Some(parse_major(text, currency).unwrap_or(-1))
    };
    let i = match t.order_values.iter().position(|r| r.currency == currency) {
        Some(i) => i,
        None => {
            t.order_values.push(ValueRange {
                currency: currency.to_string(),
                ..ValueRange::default()
            });
            t.order_values.len() - 1
        }
    };
    if is_min {
        t.order_values[i].min = v;
    } else {
        t.order_values[i].max = v;
    }
    if t.order_values[i].min.is_none() && t.order_values[i].max.is_none() {
        t.order_values.remove(i);
    }
}

fn some(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|s| !s.is_empty())
}

impl RuleForm {
    pub fn into_draft(self) -> RuleDraft {
        let base = RuleDraft::default();
        let mut targeting = Targeting {
            customer: CustomerFilter::parse(&self.customer).unwrap_or_default(),
            currencies: codes(&self.currencies),
            countries: codes(&self.countries),
            exclude_holders: self.hold.into_keys().collect(),
            min_quantity: number_or(&self.min_quantity, 0),
            max_quantity: number_or(&self.max_quantity, 0),
            ..Targeting::default()
        };
        for (currency, text) in &self.min {
            put_bound(&mut targeting, currency, text, true);
        }
        for (currency, text) in &self.max {
            put_bound(&mut targeting, currency, text, false);
        }
        targeting.schedule.zone = self.zone.trim().to_string();
        targeting.schedule.start_local = self.start_local.trim().to_string();
        targeting.schedule.end_local = self.end_local.trim().to_string();
        let mut d = RuleDraft {
            id: some(&self.id),
            // A version that does not read is a stale one: the save answers with a conflict.
            version: some(&self.version).map(|v| v.parse().unwrap_or(-1)),
            name: self.name,
            kind: RuleKind::parse(&self.kind).unwrap_or(base.kind),
            parent_rule_id: some(&self.parent_rule_id),
            trigger_product_id: self.trigger_product_id,
            offer_product_id: self.offer_product_id,
            quantity: number_or(&self.quantity, base.quantity),
            headline: self.headline,
            value_prop: self.value_prop,
            badge: self.badge,
            timing: Timing::parse(&self.timing).unwrap_or(base.timing),
            expiry_minutes: number_or(&self.expiry_minutes, base.expiry_minutes),
            enabled: self.enabled.is_some(),
            targeting,
            ..base
        };
        d.experiment.product_id = self.b_product_id;
        d.experiment.headline = self.b_headline;
        d.experiment.weight_b = number_or(&self.b_weight, 0);
        d.experiment.holdout = number_or(&self.holdout, 0);
        if let Some(m) = ProrationMode::parse(&self.proration_mode) {
            d.terms.proration_mode = m;
        }
        if let Some(f) = OnPaymentFailure::parse(&self.on_payment_failure) {
            d.terms.on_payment_failure = f;
        }
        d.terms.cancel_reason = CancelReason::parse(&self.cancel_reason);
        d.terms.free_days = number_or(&self.free_days, 0);
        d.discount.percent = number_or(&self.discount_percent, 0);
        d.discount.cycles = number_or(&self.discount_cycles, 0);
        d
    }
}

// The form is read by serde_qs, a server-only crate.
#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> RuleForm {
        let body: String = pairs
            .iter()
            .map(|(k, v)| format!("rule[{k}]={}", v.replace(' ', "+")))
            .collect::<Vec<_>>()
            .join("&");
        #[derive(Deserialize)]
        struct Args {
            rule: RuleForm,
        }
        serde_qs::Config::new(5, false)
            .deserialize_str::<Args>(&body)
            .unwrap()
            .rule
    }

    #[test]
    fn a_posted_form_reads_as_the_draft_the_editor_shows() {
        let d = form(&[
            ("id", "r1"),
            ("version", "4"),
            ("name", "Pack to course"),
            ("kind", "cross_sell"),
            ("trigger_product_id", "p1"),
            ("offer_product_id", "p2"),
            ("quantity", "2"),
            ("headline", "Add it"),
            ("timing", "usage_milestone"),
            ("expiry_minutes", "30"),
            ("enabled", "on"),
            ("discount_percent", "15"),
            ("min][USD", "49.50"),
            ("max][JPY", "9000"),
            ("min][EUR", ""),
            ("countries", "us, ca"),
            ("hold][p3", "on"),
            ("customer", "new"),
            ("min_quantity", "2"),
            ("zone", "Europe/Berlin"),
            ("start_local", "2026-12-24T09:00"),
        ])
        .into_draft();
        assert_eq!(d.id.as_deref(), Some("r1"));
        assert_eq!(d.version, Some(4));
        assert_eq!(d.kind, RuleKind::CrossSell);
        assert_eq!(d.quantity, 2);
        assert_eq!(d.timing, Timing::UsageMilestone);
        assert!(d.enabled);
        assert_eq!(d.discount.percent, 15);
        let usd = d
            .targeting
            .order_values
            .iter()
            .find(|r| r.currency == "USD");
        assert_eq!(usd.map(|r| (r.min, r.max)), Some((Some(4950), None)));
        let jpy = d
            .targeting
            .order_values
            .iter()
            .find(|r| r.currency == "JPY");
        assert_eq!(jpy.map(|r| (r.min, r.max)), Some((None, Some(9000))));
        assert_eq!(
            d.targeting.order_values.len(),
            2,
            "an empty bound is no bound"
        );
        assert_eq!(d.targeting.countries, ["US", "CA"]);
        assert_eq!(d.targeting.exclude_holders, ["p3"]);
        assert_eq!(d.targeting.customer, CustomerFilter::New);
        assert_eq!(d.targeting.min_quantity, 2);
        assert_eq!(d.targeting.schedule.zone, "Europe/Berlin");
        assert_eq!(d.targeting.schedule.start_local, "2026-12-24T09:00");
    }

    #[test]
    fn absent_fields_keep_defaults_and_unreadable_ones_are_refused_by_validation() {
        let d = form(&[("name", "x"), ("quantity", "two"), ("b_weight", "")]).into_draft();
        assert!(!d.enabled, "an unticked box is not sent");
        assert_eq!(d.quantity, -1);
        assert_eq!(d.experiment.weight_b, -1);
        assert_eq!(d.expiry_minutes, RuleDraft::default().expiry_minutes);
        assert_eq!(d.discount.percent, 0);
        assert_eq!(d.terms.free_days, 0);
        assert_eq!(d.id, None);
        assert_eq!(d.parent_rule_id, None);
        let errs = super::super::validate(&d, &[], &[]);
        assert!(errs.iter().any(|e| e.field == "quantity"), "{errs:?}");
        assert!(errs.iter().any(|e| e.field == "experiment.weight_b"));
        let stale = form(&[("id", "r1"), ("version", "x")]).into_draft();
        assert_eq!(stale.version, Some(-1));
    }

    #[test]
    fn an_unreadable_amount_is_kept_as_a_bound_validation_refuses() {
        let d = form(&[("min][USD", "lots")]).into_draft();
        assert_eq!(d.targeting.order_values[0].min, Some(-1));
        let errs = super::super::validate(&d, &[], &[]);
        assert!(errs.iter().any(|e| e.field == "targeting.order_values"));
    }
}
