//! The upsell map: rule types and the validation the server enforces and the browser mirrors.
use super::error::FieldError;
use super::money::format_money;
use super::offer_action::CancelReason;
use super::proration::ProrationMode;
use super::subscription::OnPaymentFailure;
use serde::{Deserialize, Serialize};

pub mod chain;
pub mod discount;
pub mod form;
pub mod replay;
pub mod target;
pub mod versions;
pub use discount::Discount;
pub use target::{Targeting, ANY_PRODUCT};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    Upsell,
    CrossSell,
    Downsell,
    /// Offered to a subscriber of the trigger plan who asks to cancel.
    Save,
    /// Offered once another rule's offer is accepted and paid (an add-on after an upgrade).
    Next,
}

impl RuleKind {
    pub const ALL: [RuleKind; 5] = [
        RuleKind::Upsell,
        RuleKind::CrossSell,
        RuleKind::Downsell,
        RuleKind::Next,
        RuleKind::Save,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Upsell => "upsell",
            RuleKind::CrossSell => "cross_sell",
            RuleKind::Downsell => "downsell",
            RuleKind::Save => "save",
            RuleKind::Next => "next",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// A rule of this kind follows another rule's offer (its decline or its accept) instead of
    /// a purchase.
    pub fn follows_a_rule(self) -> bool {
        matches!(self, RuleKind::Downsell | RuleKind::Next)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    PostPurchase,
    UsageMilestone,
    NearPlanLimit,
    OnboardingComplete,
}

impl Timing {
    pub const ALL: [Timing; 4] = [
        Timing::PostPurchase,
        Timing::UsageMilestone,
        Timing::NearPlanLimit,
        Timing::OnboardingComplete,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Timing::PostPurchase => "post_purchase",
            Timing::UsageMilestone => "usage_milestone",
            Timing::NearPlanLimit => "near_plan_limit",
            Timing::OnboardingComplete => "onboarding_complete",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A product as the rule editor needs it (from Dodo's product list).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSummary {
    pub id: String,
    pub name: String,
    /// Minor units; per billing period for recurring products.
    pub price: i64,
    pub currency: String,
    pub is_recurring: bool,
    /// `Month`, `Year`, … for recurring products.
    pub interval: Option<String>,
}

impl ProductSummary {
    pub fn price_label(&self) -> String {
        let base = format_money(self.price, &self.currency);
        match &self.interval {
            Some(i) if self.is_recurring => format!("{base} / {}", i.to_lowercase()),
            _ => base,
        }
    }
}

/// What the editor submits. `id` and `version` are set when editing an existing rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleDraft {
    pub id: Option<String>,
    pub version: Option<i64>,
    pub name: String,
    pub kind: RuleKind,
    pub parent_rule_id: Option<String>,
    pub trigger_product_id: String,
    pub offer_product_id: String,
    pub quantity: i32,
    pub headline: String,
    pub value_prop: String,
    /// Empty for none; `null` is accepted too, so a stored rule can be sent back as a draft.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub badge: String,
    pub timing: Timing,
    pub expiry_minutes: i32,
    pub enabled: bool,
    #[serde(default)]
    pub experiment: Experiment,
    #[serde(default)]
    pub terms: PlanTerms,
    #[serde(default)]
    pub targeting: Targeting,
    #[serde(default)]
    pub discount: Discount,
}

/// How a plan change the rule offers is billed and, for a save rule, which cancel reason it
/// answers and what it gives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTerms {
    pub proration_mode: ProrationMode,
    pub on_payment_failure: OnPaymentFailure,
    /// Save rules: the reason answered; `None` is the plan's catch-all.
    #[serde(default)]
    pub cancel_reason: Option<CancelReason>,
    /// Save rules: days of free time instead of a cheaper plan (0: the offered plan).
    #[serde(default)]
    pub free_days: i32,
}

/// The guide's defaults: an upgrade charges the price difference now, and a declined card
/// never upgrades anyone.
impl Default for PlanTerms {
    fn default() -> Self {
        Self {
            proration_mode: ProrationMode::DifferenceImmediately,
            on_payment_failure: OnPaymentFailure::PreventChange,
            cancel_reason: None,
            free_days: 0,
        }
    }
}

pub const FREE_DAYS_MAX: i32 = 365;

/// What a rule's accept does, as the map shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleAction {
    OneTime,
    /// A recurring offer after a one-time purchase: a new subscription, or a plan change for
    /// a customer who already holds one of the family.
    NewSubscription,
    PlanChange,
    FreeTime,
}

/// The action the map shows for a rule (the engine decides per customer at offer time).
pub fn rule_action(
    kind: RuleKind,
    trigger: Option<&ProductSummary>,
    offer: Option<&ProductSummary>,
    free_days: i32,
) -> RuleAction {
    if kind == RuleKind::Save && free_days > 0 {
        return RuleAction::FreeTime;
    }
    match (trigger, offer) {
        (_, Some(o)) if !o.is_recurring => RuleAction::OneTime,
        (Some(t), Some(_)) if t.is_recurring => RuleAction::PlanChange,
        (_, Some(_)) => RuleAction::NewSubscription,
        _ => RuleAction::OneTime,
    }
}

/// An optional A/B test on a rule: some customers see variant B, some (the hold-out) see no
/// offer, so analysts can compare conversion and what the offer adds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Experiment {
    /// Variant B's offered product; empty means the same product as A.
    #[serde(default)]
    pub product_id: String,
    /// Variant B's headline; empty means the same headline as A.
    #[serde(default)]
    pub headline: String,
    /// Percent of customers not held out who see variant B.
    #[serde(default)]
    pub weight_b: i32,
    /// Percent of customers who get no offer from this rule.
    #[serde(default)]
    pub holdout: i32,
}

impl Experiment {
    pub fn is_running(&self) -> bool {
        self.weight_b > 0 || self.holdout > 0
    }
}

pub const HOLDOUT_MAX: i32 = 50;

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// The order `ids` (top first) with `id` moved one place up or down; the same order at either
/// end, `None` when `id` is not in it.
pub fn moved(ids: &[&str], id: &str, up: bool) -> Option<Vec<String>> {
    let i = ids.iter().position(|x| *x == id)?;
    let mut order: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    let j = if up { i.checked_sub(1) } else { Some(i + 1) };
    if let Some(j) = j.filter(|j| *j < order.len()) {
        order.swap(i, j);
    }
    Some(order)
}

impl Default for RuleDraft {
    fn default() -> Self {
        Self {
            id: None,
            version: None,
            name: String::new(),
            kind: RuleKind::Upsell,
            parent_rule_id: None,
            trigger_product_id: String::new(),
            offer_product_id: String::new(),
            quantity: 1,
            headline: String::new(),
            value_prop: String::new(),
            badge: String::new(),
            timing: Timing::PostPurchase,
            expiry_minutes: 60,
            enabled: true,
            experiment: Experiment::default(),
            terms: PlanTerms::default(),
            targeting: Targeting::default(),
            discount: Discount::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub version: i64,
    pub name: String,
    pub kind: RuleKind,
    pub parent_rule_id: Option<String>,
    pub trigger_product_id: String,
    pub offer_product_id: String,
    pub quantity: i32,
    pub headline: String,
    pub value_prop: String,
    pub badge: Option<String>,
    pub timing: Timing,
    pub expiry_minutes: i32,
    pub priority: i64,
    pub enabled: bool,
    #[serde(default)]
    pub experiment: Experiment,
    #[serde(default)]
    pub terms: PlanTerms,
    #[serde(default)]
    pub targeting: Targeting,
    #[serde(default)]
    pub discount: Discount,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Rule {
    pub fn to_draft(&self) -> RuleDraft {
        RuleDraft {
            id: Some(self.id.clone()),
            version: Some(self.version),
            name: self.name.clone(),
            kind: self.kind,
            parent_rule_id: self.parent_rule_id.clone(),
            trigger_product_id: self.trigger_product_id.clone(),
            offer_product_id: self.offer_product_id.clone(),
            quantity: self.quantity,
            headline: self.headline.clone(),
            value_prop: self.value_prop.clone(),
            badge: self.badge.clone().unwrap_or_default(),
            timing: self.timing,
            expiry_minutes: self.expiry_minutes,
            enabled: self.enabled,
            experiment: self.experiment.clone(),
            terms: self.terms.clone(),
            targeting: self.targeting.clone(),
            discount: self.discount,
        }
    }
}

pub const NAME_MAX: usize = 80;
pub const HEADLINE_MAX: usize = 120;
pub const VALUE_PROP_MAX: usize = 500;
pub const BADGE_MAX: usize = 24;
pub const QUANTITY_MAX: i32 = 100;
/// One week: an offer older than that is no longer "post-purchase".
pub const EXPIRY_MAX_MINUTES: i32 = 7 * 24 * 60;

/// Case- and space-insensitive key under which rule names must be unique.
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Trims text fields and, for a rule that follows another, takes the trigger from its parent:
/// a downsell is shown after the parent's offer is declined (so its trigger is the parent's),
/// a next offer after it is paid (so its trigger is the parent's offer).
pub fn normalize(mut d: RuleDraft, rules: &[Rule]) -> RuleDraft {
    d.name = d.name.trim().to_string();
    d.headline = d.headline.trim().to_string();
    d.value_prop = d.value_prop.trim().to_string();
    d.badge = d.badge.trim().to_string();
    d.trigger_product_id = d.trigger_product_id.trim().to_string();
    d.offer_product_id = d.offer_product_id.trim().to_string();
    d.experiment.product_id = d.experiment.product_id.trim().to_string();
    d.experiment.headline = d.experiment.headline.trim().to_string();
    // Conditions choose between rules that follow a purchase; a downsell follows its rule's
    // decline and a save offer a cancellation, so they carry none.
    d.targeting = if d.kind.follows_a_rule() || d.kind == RuleKind::Save {
        Targeting::default()
    } else {
        target::normalize(d.targeting)
    };
    d.parent_rule_id = d
        .parent_rule_id
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty());
    if d.kind.follows_a_rule() {
        if let Some(parent) = d
            .parent_rule_id
            .as_ref()
            .and_then(|p| rules.iter().find(|r| &r.id == p))
        {
            d.trigger_product_id = if d.kind == RuleKind::Next {
                parent.offer_product_id.clone()
            } else {
                parent.trigger_product_id.clone()
            };
        }
    } else {
        d.parent_rule_id = None;
    }
    if d.discount.percent == 0 {
        d.discount = Discount::default();
    }
    if d.kind == RuleKind::Save {
        // Free time offers no product; a plan offers no free time.
        if d.terms.free_days > 0 {
            d.offer_product_id.clear();
        }
    } else {
        d.terms.cancel_reason = None;
        d.terms.free_days = 0;
    }
    d
}

fn product<'a>(products: &'a [ProductSummary], id: &str) -> Option<&'a ProductSummary> {
    products.iter().find(|p| p.id == id)
}

fn check_len(errs: &mut Vec<FieldError>, field: &str, value: &str, min: usize, max: usize) {
    let n = value.chars().count();
    if n < min {
        errs.push(FieldError::new(
            field,
            "required",
            "This field is required.",
        ));
    } else if n > max {
        errs.push(FieldError::new(
            field,
            "too_long",
            format!("Use at most {max} characters (it has {n})."),
        ));
    }
}

/// Every rule the upsell map must satisfy. `rules` is the current map (the draft's own stored
/// version included or not: it is skipped by id). Call `normalize` first.
pub fn validate(d: &RuleDraft, products: &[ProductSummary], rules: &[Rule]) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let others: Vec<&Rule> = rules
        .iter()
        .filter(|r| Some(&r.id) != d.id.as_ref())
        .collect();

    check_len(&mut errs, "name", &d.name, 1, NAME_MAX);
    let key = name_key(&d.name);
    if !key.is_empty() && others.iter().any(|r| name_key(&r.name) == key) {
        errs.push(FieldError::new(
            "name",
            "name_taken",
            "Another rule already has this name; choose a different one.",
        ));
    }
    check_len(&mut errs, "headline", &d.headline, 1, HEADLINE_MAX);
    check_len(&mut errs, "value_prop", &d.value_prop, 1, VALUE_PROP_MAX);
    check_len(&mut errs, "badge", &d.badge, 0, BADGE_MAX);
    if !(1..=QUANTITY_MAX).contains(&d.quantity) {
        errs.push(FieldError::new(
            "quantity",
            "quantity_range",
            format!("Quantity must be between 1 and {QUANTITY_MAX}."),
        ));
    }
    if !(1..=EXPIRY_MAX_MINUTES).contains(&d.expiry_minutes) {
        errs.push(FieldError::new(
            "expiry_minutes",
            "expiry_range",
            format!("The offer must expire after 1 to {EXPIRY_MAX_MINUTES} minutes (7 days)."),
        ));
    }

    let catch_all = d.trigger_product_id == ANY_PRODUCT;
    if catch_all && !matches!(d.kind, RuleKind::Upsell | RuleKind::CrossSell) {
        errs.push(FieldError::new(
            "trigger_product_id",
            "catch_all_kind",
            "Only an upsell or a cross-sell can follow any product; a downsell follows its rule and a save offer a plan.",
        ));
    }
    let trigger = if catch_all {
        None
    } else if d.trigger_product_id.is_empty() && d.kind.follows_a_rule() {
        // Taken from the parent rule: its absence is the parent field's error.
        None
    } else if d.trigger_product_id.is_empty() {
        errs.push(FieldError::new(
            "trigger_product_id",
            "required",
            "Pick the product whose purchase triggers this offer.",
        ));
        None
    } else {
        let p = product(products, &d.trigger_product_id);
        if p.is_none() {
            errs.push(FieldError::new(
                "trigger_product_id",
                "product_missing",
                "This product no longer exists in Dodo Payments; pick another one.",
            ));
        }
        p
    };
    let free_time = d.kind == RuleKind::Save && d.terms.free_days > 0;
    let offer = if d.offer_product_id.is_empty() {
        if !free_time {
            errs.push(FieldError::new(
                "offer_product_id",
                "required",
                if d.kind == RuleKind::Save {
                    "Pick the cheaper plan to offer, or give free days instead."
                } else {
                    "Pick the product to offer."
                },
            ));
        }
        None
    } else {
        let p = product(products, &d.offer_product_id);
        if p.is_none() {
            errs.push(FieldError::new(
                "offer_product_id",
                "product_missing",
                "This product no longer exists in Dodo Payments; pick another one.",
            ));
        }
        p
    };
    if !d.offer_product_id.is_empty() && d.offer_product_id == d.trigger_product_id {
        errs.push(FieldError::new(
            "offer_product_id",
            "same_product",
            "The offer must be a different product from the one just bought.",
        ));
    }
    if let (Some(t), Some(o)) = (trigger, offer) {
        if t.currency != o.currency {
            errs.push(FieldError::new(
                "offer_product_id",
                "currency_mismatch",
                format!(
                    "The offer is priced in {} but the purchase is in {}. A one-click charge uses \
                     the customer's saved method in the purchase currency, so pick an offer \
                     priced in {}.",
                    o.currency, t.currency, t.currency
                ),
            ));
        }
    }

    if d.kind.follows_a_rule() {
        chain::validate(d, products, &others, offer, &mut errs);
    }
    if d.kind == RuleKind::Save {
        validate_save(d, trigger, offer, &mut errs);
    }
    validate_experiment(d, products, offer, &mut errs);
    let action = rule_action(d.kind, trigger, offer, d.terms.free_days);
    discount::validate(d.discount, action, &mut errs);
    errs.extend(target::validate(&d.targeting, |id| {
        product(products, id).is_some()
    }));
    errs
}

fn validate_experiment(
    d: &RuleDraft,
    products: &[ProductSummary],
    offer: Option<&ProductSummary>,
    errs: &mut Vec<FieldError>,
) {
    let e = &d.experiment;
    if !(0..=100).contains(&e.weight_b) {
        errs.push(FieldError::new(
            "experiment.weight_b",
            "weight_range",
            "Variant B's share must be between 0 and 100 percent.",
        ));
    }
    if !(0..=HOLDOUT_MAX).contains(&e.holdout) {
        errs.push(FieldError::new(
            "experiment.holdout",
            "holdout_range",
            format!("The hold-out must be between 0 and {HOLDOUT_MAX} percent of customers."),
        ));
    }
    check_len(errs, "experiment.headline", &e.headline, 0, HEADLINE_MAX);
    if !e.product_id.is_empty() {
        match product(products, &e.product_id) {
            None => errs.push(FieldError::new(
                "experiment.product_id",
                "product_missing",
                "Variant B's product no longer exists in Dodo Payments; pick another one.",
            )),
            Some(b) if offer.is_some_and(|o| o.currency != b.currency) => {
                errs.push(FieldError::new(
                    "experiment.product_id",
                    "currency_mismatch",
                    "Variant B must be priced in the same currency as the offer, so the two can be compared.",
                ))
            }
            Some(b) if b.id == d.trigger_product_id => errs.push(FieldError::new(
                "experiment.product_id",
                "same_product",
                "Variant B must be a different product from the one just bought.",
            )),
            Some(_) => {}
        }
    }
    let same_as_a = (e.product_id.is_empty() || e.product_id == d.offer_product_id)
        && (e.headline.is_empty() || e.headline == d.headline);
    if e.weight_b > 0 && same_as_a {
        errs.push(FieldError::new(
            "experiment.product_id",
            "variant_same",
            "Variant B is identical to A: give it another product or another headline, or set its share to 0.",
        ));
    }
}

/// A save offer keeps a subscriber of the trigger plan: a cheaper plan of the same family, or
/// free days. Anything else would be an upsell to someone on their way out.
fn validate_save(
    d: &RuleDraft,
    trigger: Option<&ProductSummary>,
    offer: Option<&ProductSummary>,
    errs: &mut Vec<FieldError>,
) {
    if trigger.is_some_and(|t| !t.is_recurring) {
        errs.push(FieldError::new(
            "trigger_product_id",
            "save_needs_plan",
            "A save offer is for subscribers who ask to cancel: pick a subscription plan.",
        ));
    }
    if !(0..=FREE_DAYS_MAX).contains(&d.terms.free_days) {
        errs.push(FieldError::new(
            "terms.free_days",
            "free_days_range",
            format!(
                "Free time must be between 1 and {FREE_DAYS_MAX} days (0 to offer a plan instead)."
            ),
        ));
    }
    if let (Some(t), Some(o)) = (trigger, offer) {
        if !o.is_recurring {
            errs.push(FieldError::new(
                "offer_product_id",
                "save_needs_plan",
                "A save offer moves the subscription to another plan: pick a subscription plan, or give free days.",
            ));
        } else if o.currency == t.currency && o.price.saturating_mul(d.quantity as i64) >= t.price {
            errs.push(FieldError::new(
                "offer_product_id",
                "save_not_cheaper",
                format!(
                    "A save offer must cost less than the plan being cancelled ({} here vs {}).",
                    o.price_label(),
                    t.price_label()
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests;
