//! Writing offers: one at a time (a downsell, a save offer, a reported moment) or a webhook
//! batch's all at once, in one statement — the ingest's hot path makes one offer per purchase.
use super::engine::RuleMatch;
use super::holdout::hold_out;
use super::Tx;
use crate::domain::analytics::{assign, EventKind, Variant};
use crate::domain::offer::OfferState;
use crate::domain::offer_action::OfferAction;
use crate::domain::rule::{Discount, ProductSummary, RuleKind};
use crate::server::ids::{new_id, now_ms};
use crate::server::rollups::{self, Subject};
use crate::server::sql::{insert_with, Arg};
use sqlx::Row;

pub(super) struct NewOffer<'a> {
    pub(super) customer_id: &'a str,
    pub(super) trigger_payment_id: Option<&'a str>,
    pub(super) trigger: &'a ProductSummary,
    pub(super) billing: (Option<String>, Option<String>),
    pub(super) parent_offer_id: Option<&'a str>,
    /// The subscription the trigger named (a subscription payment's, an API event's, the one
    /// a subscriber asks to cancel).
    pub(super) subscription_id: Option<&'a str>,
}

/// An offer ready to be written, and what its `created` event needs.
pub(super) struct OfferRow {
    id: String,
    token: String,
    pub(super) customer_id: String,
    rule_id: String,
    variant: Variant,
    currency: String,
    trigger_amount: i64,
    amount: i64,
    at: i64,
    args: Vec<Arg>,
}

/// Column names and PostgreSQL types, in the order of [`OfferRow::args`].
const COLUMNS: [(&str, &str); 33] = [
    ("id", "text"),
    ("token", "text"),
    ("rule_id", "text"),
    ("parent_offer_id", "text"),
    ("customer_id", "text"),
    ("trigger_payment_id", "text"),
    ("trigger_product_id", "text"),
    ("trigger_amount", "bigint"),
    ("offer_product_id", "text"),
    ("quantity", "bigint"),
    ("amount", "bigint"),
    ("currency", "text"),
    ("headline", "text"),
    ("value_prop", "text"),
    ("badge", "text"),
    ("billing_country", "text"),
    ("billing_zipcode", "text"),
    ("state", "text"),
    ("created_at", "bigint"),
    ("expires_at", "bigint"),
    ("updated_at", "bigint"),
    ("variant", "text"),
    ("action", "text"),
    ("subscription_id", "text"),
    ("proration_mode", "text"),
    ("on_payment_failure", "text"),
    ("free_days", "bigint"),
    ("quoted_at", "bigint"),
    ("recurring_amount", "bigint"),
    ("billing_interval", "text"),
    ("discount_percent", "bigint"),
    ("discount_cycles", "bigint"),
    ("full_amount", "bigint"),
];

/// The offer a rule makes, not yet written; `None` when its product left the catalogue or
/// the customer is held out (the hold-out is recorded here). A one-time product is quoted now
/// (its price); a plan is quoted when the offer is first shown, from Dodo's change-plan
/// preview or the plan's price, once what the customer holds is known.
pub(super) async fn prepare(
    tx: &mut Tx,
    rule: &RuleMatch,
    products: &[ProductSummary],
    n: NewOffer<'_>,
) -> Result<Option<OfferRow>, sqlx::Error> {
    let variant = assign(
        n.customer_id,
        &rule.id,
        rule.variant_b_weight,
        rule.holdout_percent,
    );
    let b = variant == Variant::B;
    let free_time = rule.kind == RuleKind::Save.as_str() && rule.free_days > 0;
    let offered_id = match &rule.variant_b_product_id {
        Some(p) if b => p,
        // Free time keeps the subscriber on the plan they hold.
        _ if free_time => &n.trigger.id,
        _ => &rule.offer_product_id,
    };
    let Some(offered) = products.iter().find(|p| &p.id == offered_id) else {
        tracing::warn!(rule_id = %rule.id, "offered product no longer in the catalogue; no offer made");
        return Ok(None);
    };
    let now = now_ms();
    if variant == Variant::Holdout {
        if let Some(payment_id) = n.trigger_payment_id {
            hold_out(tx, &rule.id, n.customer_id, payment_id, offered, now).await?;
        }
        return Ok(None);
    }
    let headline = match &rule.variant_b_headline {
        Some(h) if b => h,
        _ => &rule.headline,
    };
    let (action, amount, quoted_at) = if free_time {
        // Quoted when first shown, like a plan change: the quote reads the subscription for
        // the date its price resumes, which the page states.
        (OfferAction::FreeTime, 0, None)
    } else if !offered.is_recurring {
        let amount = offered.price.saturating_mul(rule.quantity);
        (OfferAction::OneTime, amount, Some(now))
    } else if rule.kind == RuleKind::Save.as_str() {
        (OfferAction::PlanChange, 0, None)
    } else {
        // Provisional until quoted: a plan change when the customer holds a subscription.
        let amount = offered.price.saturating_mul(rule.quantity);
        (OfferAction::NewSubscription, amount, None)
    };
    // A discount takes its share of a charge made by checkout; a plan change has none.
    let discount = match action {
        OfferAction::OneTime | OfferAction::NewSubscription => rule.discount,
        _ => Discount::default(),
    };
    let (amount, full_amount) = if discount.is_set() {
        (discount.apply(amount), Some(amount))
    } else {
        (amount, None)
    };
    let (id, token) = (new_id("ofr"), new_id("otk"));
    let text = |s: &str| Arg::Text(s.to_string());
    let opt = |s: Option<&str>| Arg::OptText(s.map(str::to_string));
    let args = vec![
        text(&id),
        text(&token),
        text(&rule.id),
        opt(n.parent_offer_id),
        text(n.customer_id),
        opt(n.trigger_payment_id),
        text(&n.trigger.id),
        Arg::Int(n.trigger.price),
        text(&offered.id),
        Arg::Int(rule.quantity),
        Arg::Int(amount),
        text(&offered.currency),
        text(headline),
        text(&rule.value_prop),
        opt(rule.badge.as_deref()),
        opt(n.billing.0.as_deref()),
        opt(n.billing.1.as_deref()),
        text(OfferState::Pending.as_str()),
        Arg::Int(now),
        Arg::Int(now + rule.expiry_minutes * 60_000),
        Arg::Int(now),
        text(variant.as_str()),
        text(action.as_str()),
        opt(n.subscription_id),
        text(&rule.proration_mode),
        text(&rule.on_payment_failure),
        Arg::OptInt(free_time.then_some(rule.free_days)),
        Arg::OptInt(quoted_at),
        Arg::OptInt(
            offered
                .is_recurring
                .then(|| offered.price.saturating_mul(rule.quantity)),
        ),
        opt(offered.interval.as_deref()),
        Arg::Int(discount.percent as i64),
        Arg::Int(discount.cycles as i64),
        Arg::OptInt(full_amount),
    ];
    Ok(Some(OfferRow {
        id,
        token,
        customer_id: n.customer_id.to_string(),
        rule_id: rule.id.clone(),
        variant,
        currency: offered.currency.clone(),
        trigger_amount: n.trigger.price,
        amount,
        at: now,
        args,
    }))
}

/// Writes offers (once per purchase and rule: one already made for the same purchase and
/// rule is left as it is) and the `created` event of each written; returns their tokens.
pub(super) async fn write(tx: &mut Tx, rows: Vec<OfferRow>) -> Result<Vec<String>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let (meta, args): (Vec<OfferRow>, Vec<Vec<Arg>>) = rows
        .into_iter()
        .map(|mut r| {
            let args = std::mem::take(&mut r.args);
            (r, args)
        })
        .unzip();
    let written = insert_with(
        tx,
        "offers",
        &COLUMNS,
        " ON CONFLICT (trigger_payment_id, rule_id) DO NOTHING RETURNING id",
        args,
    )
    .await?;
    let written: std::collections::HashSet<String> = written
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    let mut tokens = Vec::with_capacity(written.len());
    for r in meta.into_iter().filter(|r| written.contains(&r.id)) {
        let subject = Subject {
            id: &r.id,
            rule_id: &r.rule_id,
            variant: r.variant,
            currency: &r.currency,
            trigger_amount: r.trigger_amount,
        };
        rollups::record(tx, &subject, EventKind::Created, Some(r.amount), None, r.at).await?;
        tokens.push(r.token);
    }
    Ok(tokens)
}

/// Makes one offer now; its token, unless none was made.
pub(super) async fn insert_offer(
    tx: &mut Tx,
    rule: &RuleMatch,
    products: &[ProductSummary],
    n: NewOffer<'_>,
) -> Result<Option<String>, sqlx::Error> {
    match prepare(tx, rule, products, n).await? {
        Some(row) => Ok(write(tx, vec![row]).await?.pop()),
        None => Ok(None),
    }
}
