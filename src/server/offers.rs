//! The offer engine: purchases create offers, customers accept (charged exactly once) or
//! decline (never offered that rule again; a downsell may follow).
use super::db::{begin_write, Db};
use super::dodo::{ChargeCall, READ_BACK_AFTER_MS};
use super::ids::{new_id, now_ms};
use super::rollups::{self, Subject};
use super::state::AppState;
use crate::domain::analytics::{assign, EventKind, Variant};
use crate::domain::error::{AppError, ErrorCode};
use crate::domain::offer::{decline_reason, eligible_method, OfferState, OfferView};
use crate::domain::rule::{ProductSummary, RuleKind, Timing};
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashSet;

type Tx<'a> = Transaction<'a, Any>;

pub struct Offer {
    pub id: String,
    pub token: String,
    pub rule_id: String,
    pub customer_id: String,
    pub trigger_payment_id: Option<String>,
    pub trigger_product_id: String,
    pub trigger_amount: i64,
    pub offer_product_id: String,
    pub quantity: i64,
    pub amount: i64,
    pub currency: String,
    pub headline: String,
    pub value_prop: String,
    pub badge: Option<String>,
    pub billing_country: Option<String>,
    pub billing_zipcode: Option<String>,
    pub state: OfferState,
    pub payment_id: Option<String>,
    pub failure_code: Option<String>,
    pub fallback_url: Option<String>,
    pub shown_at: Option<i64>,
    pub expires_at: i64,
    pub variant: Variant,
    /// When the state last moved (for a `charging` offer: when the charge was sent).
    pub updated_at: i64,
}

impl Offer {
    fn subject(&self) -> Subject<'_> {
        Subject {
            id: &self.id,
            rule_id: &self.rule_id,
            variant: self.variant,
            currency: &self.currency,
            trigger_amount: self.trigger_amount,
        }
    }
}

const COLUMNS: &str = "id, token, rule_id, customer_id, trigger_payment_id, trigger_product_id, trigger_amount, \
    offer_product_id, quantity, amount, currency, headline, value_prop, badge, billing_country, billing_zipcode, \
    state, payment_id, failure_code, fallback_url, shown_at, expires_at, variant, updated_at";

fn from_row(r: &AnyRow) -> Result<Offer, sqlx::Error> {
    let state: String = r.try_get("state")?;
    Ok(Offer {
        id: r.try_get("id")?,
        token: r.try_get("token")?,
        rule_id: r.try_get("rule_id")?,
        customer_id: r.try_get("customer_id")?,
        trigger_payment_id: r.try_get("trigger_payment_id")?,
        trigger_product_id: r.try_get("trigger_product_id")?,
        trigger_amount: r.try_get("trigger_amount")?,
        offer_product_id: r.try_get("offer_product_id")?,
        quantity: r.try_get("quantity")?,
        amount: r.try_get("amount")?,
        currency: r.try_get("currency")?,
        headline: r.try_get("headline")?,
        value_prop: r.try_get("value_prop")?,
        badge: r.try_get("badge")?,
        billing_country: r.try_get("billing_country")?,
        billing_zipcode: r.try_get("billing_zipcode")?,
        state: OfferState::parse(&state)
            .ok_or_else(|| sqlx::Error::Decode("unknown offer state".into()))?,
        payment_id: r.try_get("payment_id")?,
        failure_code: r.try_get("failure_code")?,
        fallback_url: r.try_get("fallback_url")?,
        shown_at: r.try_get("shown_at")?,
        expires_at: r.try_get("expires_at")?,
        variant: Variant::parse(&r.try_get::<String, _>("variant")?)
            .ok_or_else(|| sqlx::Error::Decode("unknown offer variant".into()))?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Records an event of `offer` now (and its rollups) inside `tx`.
async fn event(
    tx: &mut Tx<'_>,
    offer: &Offer,
    kind: EventKind,
    amount: Option<i64>,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    rollups::record(tx, &offer.subject(), kind, amount, detail, now_ms()).await
}

/// A matching rule, read inside the transaction.
struct RuleMatch {
    id: String,
    offer_product_id: String,
    quantity: i64,
    headline: String,
    value_prop: String,
    badge: Option<String>,
    expiry_minutes: i64,
    variant_b_product_id: Option<String>,
    variant_b_headline: Option<String>,
    variant_b_weight: i64,
    holdout_percent: i64,
}

const MATCH_COLUMNS: &str = "r.id, r.offer_product_id, r.quantity, r.headline, r.value_prop, r.badge, r.expiry_minutes, \
    r.priority, r.variant_b_product_id, r.variant_b_headline, r.variant_b_weight, r.holdout_percent";

async fn best_rule(
    tx: &mut Tx<'_>,
    customer_id: &str,
    triggers: &[String],
    timing: Timing,
) -> Result<Option<RuleMatch>, sqlx::Error> {
    // Few rules per trigger: one query per purchased product keeps the SQL portable.
    let mut best: Option<(i64, RuleMatch)> = None;
    for trigger in triggers {
        let row = sqlx::query(&format!(
            "SELECT {MATCH_COLUMNS} FROM rules r \
             WHERE r.enabled = 1 AND r.kind <> $1 AND r.timing = $2 AND r.trigger_product_id = $3 \
             AND NOT EXISTS (SELECT 1 FROM declines d WHERE d.customer_id = $4 AND d.rule_id = r.id) \
             ORDER BY r.priority LIMIT 1"
        ))
        .bind(RuleKind::Downsell.as_str())
        .bind(timing.as_str())
        .bind(trigger)
        .bind(customer_id)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(r) = row {
            let priority: i64 = r.try_get("priority")?;
            if best.as_ref().is_none_or(|(p, _)| priority < *p) {
                best = Some((priority, rule_match(&r)?));
            }
        }
    }
    Ok(best.map(|b| b.1))
}

fn rule_match(r: &AnyRow) -> Result<RuleMatch, sqlx::Error> {
    Ok(RuleMatch {
        id: r.try_get("id")?,
        offer_product_id: r.try_get("offer_product_id")?,
        quantity: r.try_get("quantity")?,
        headline: r.try_get("headline")?,
        value_prop: r.try_get("value_prop")?,
        badge: r.try_get("badge")?,
        expiry_minutes: r.try_get("expiry_minutes")?,
        variant_b_product_id: r.try_get("variant_b_product_id")?,
        variant_b_headline: r.try_get("variant_b_headline")?,
        variant_b_weight: r.try_get("variant_b_weight")?,
        holdout_percent: r.try_get("holdout_percent")?,
    })
}

struct NewOffer<'a> {
    customer_id: &'a str,
    trigger_payment_id: Option<&'a str>,
    trigger: &'a ProductSummary,
    billing: (Option<String>, Option<String>),
    parent_offer_id: Option<&'a str>,
}

/// Inserts the offer (once per purchase and rule) and its `created` event.
async fn insert_offer(
    tx: &mut Tx<'_>,
    rule: &RuleMatch,
    products: &[ProductSummary],
    n: NewOffer<'_>,
) -> Result<Option<String>, sqlx::Error> {
    let variant = assign(
        n.customer_id,
        &rule.id,
        rule.variant_b_weight,
        rule.holdout_percent,
    );
    let b = variant == Variant::B;
    let offered_id = match &rule.variant_b_product_id {
        Some(p) if b => p,
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
    let id = new_id("ofr");
    let token = new_id("otk");
    let amount = offered.price.saturating_mul(rule.quantity);
    let inserted = sqlx::query(
        "INSERT INTO offers (id, token, rule_id, parent_offer_id, customer_id, trigger_payment_id, trigger_product_id, trigger_amount, \
         offer_product_id, quantity, amount, currency, headline, value_prop, badge, billing_country, billing_zipcode, state, \
         created_at, expires_at, updated_at, variant) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) \
         ON CONFLICT (trigger_payment_id, rule_id) DO NOTHING",
    )
    .bind(&id)
    .bind(&token)
    .bind(&rule.id)
    .bind(n.parent_offer_id)
    .bind(n.customer_id)
    .bind(n.trigger_payment_id)
    .bind(&n.trigger.id)
    .bind(n.trigger.price)
    .bind(&offered.id)
    .bind(rule.quantity)
    .bind(amount)
    .bind(&offered.currency)
    .bind(headline)
    .bind(&rule.value_prop)
    .bind(&rule.badge)
    .bind(&n.billing.0)
    .bind(&n.billing.1)
    .bind(OfferState::Pending.as_str())
    .bind(now)
    .bind(now + rule.expiry_minutes * 60_000)
    .bind(now)
    .bind(variant.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(None);
    }
    let subject = Subject {
        id: &id,
        rule_id: &rule.id,
        variant,
        currency: &offered.currency,
        trigger_amount: n.trigger.price,
    };
    rollups::record(tx, &subject, EventKind::Created, Some(amount), None, now).await?;
    Ok(Some(token))
}

/// A customer in the rule's hold-out: no offer, but the assignment is counted (once per
/// purchase) so the experiment can compare against customers who got none. Returns the
/// record's id when this call made it.
pub(super) async fn hold_out(
    tx: &mut Tx<'_>,
    rule_id: &str,
    customer_id: &str,
    trigger_payment_id: &str,
    offered: &ProductSummary,
    at: i64,
) -> Result<Option<String>, sqlx::Error> {
    let id = new_id("hld");
    let inserted = sqlx::query(
        "INSERT INTO holdouts (id, rule_id, customer_id, trigger_payment_id, offer_product_id, currency, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (trigger_payment_id, rule_id) DO NOTHING",
    )
    .bind(&id)
    .bind(rule_id)
    .bind(customer_id)
    .bind(trigger_payment_id)
    .bind(&offered.id)
    .bind(&offered.currency)
    .bind(at)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(None);
    }
    let subject = holdout_subject(&id, rule_id, &offered.currency);
    rollups::record(tx, &subject, EventKind::Created, None, None, at).await?;
    Ok(Some(id))
}

pub(super) fn holdout_subject<'a>(id: &'a str, rule_id: &'a str, currency: &'a str) -> Subject<'a> {
    Subject {
        id,
        rule_id,
        variant: Variant::Holdout,
        currency,
        trigger_amount: 0,
    }
}

/// How long after being held out a customer's own purchase of the offered product still
/// counts as the hold-out's conversion.
const HOLDOUT_WINDOW_MS: i64 = 30 * 86_400_000;

/// Of `customers`, those with a hold-out that a purchase could still convert. A webhook batch
/// asks this once, so a purchase by anyone else (nearly everyone) costs no hold-out query.
pub async fn open_holdouts(
    tx: &mut Tx<'_>,
    customers: &[&str],
) -> Result<HashSet<String>, sqlx::Error> {
    if customers.is_empty() {
        return Ok(HashSet::new());
    }
    let marks: Vec<String> = (2..customers.len() + 2).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT DISTINCT customer_id FROM holdouts WHERE converted_at IS NULL AND created_at > $1 \
         AND customer_id IN ({})",
        marks.join(", ")
    );
    let mut q = sqlx::query(&sql).bind(now_ms() - HOLDOUT_WINDOW_MS);
    for c in customers {
        q = q.bind(*c);
    }
    q.fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get("customer_id"))
        .collect()
}

/// An ordinary purchase by a held-out customer of the product they were not offered.
async fn holdout_conversions(
    tx: &mut Tx<'_>,
    customer_id: &str,
    payment_id: &str,
    bought: &[(String, i64)],
    products: &[ProductSummary],
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let rows = sqlx::query(
        "SELECT id, rule_id, offer_product_id, currency FROM holdouts \
         WHERE customer_id = $1 AND converted_at IS NULL AND created_at > $2 AND trigger_payment_id <> $3",
    )
    .bind(customer_id)
    .bind(now - HOLDOUT_WINDOW_MS)
    .bind(payment_id)
    .fetch_all(&mut **tx)
    .await?;
    for r in rows {
        let (id, rule_id, product, currency): (String, String, String, String) = (
            r.try_get("id")?,
            r.try_get("rule_id")?,
            r.try_get("offer_product_id")?,
            r.try_get("currency")?,
        );
        let Some((_, qty)) = bought.iter().find(|(p, _)| *p == product) else {
            continue;
        };
        let Some(price) = products.iter().find(|p| p.id == product).map(|p| p.price) else {
            continue;
        };
        let n = sqlx::query("UPDATE holdouts SET converted_payment_id = $1, converted_at = $2 WHERE id = $3 AND converted_at IS NULL")
            .bind(payment_id)
            .bind(now)
            .bind(&id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        if n == 1 {
            let subject = holdout_subject(&id, &rule_id, &currency);
            let amount = price.saturating_mul(*qty);
            rollups::record(
                tx,
                &subject,
                EventKind::Paid,
                Some(amount),
                Some(payment_id),
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// `payment.succeeded`: settles our own charge (metadata names the offer) or, for an ordinary
/// purchase, creates the best post-purchase offer. `held` holds the customers who may have an
/// open hold-out (from `open_holdouts`); this adds any customer it may hold out now, so a later
/// purchase in the same batch still converts it.
pub async fn on_payment_succeeded(
    tx: &mut Tx<'_>,
    products: &[ProductSummary],
    data: &Value,
    held: &mut HashSet<String>,
) -> Result<(), sqlx::Error> {
    if let Some(offer_id) = data.pointer("/metadata/offer_id").and_then(Value::as_str) {
        return settle(tx, offer_id, data, true).await;
    }
    let (Some(customer_id), Some(payment_id)) = (
        data.pointer("/customer/customer_id")
            .and_then(Value::as_str),
        data.get("payment_id").and_then(Value::as_str),
    ) else {
        return Ok(());
    };
    let quantities: Vec<(String, i64)> = data
        .get("product_cart")
        .and_then(Value::as_array)
        .map(|c| {
            c.iter()
                .filter_map(|i| {
                    let id = i.get("product_id").and_then(Value::as_str)?;
                    let qty = i.get("quantity").and_then(Value::as_i64).unwrap_or(1);
                    Some((id.to_string(), qty.max(1)))
                })
                .collect()
        })
        .unwrap_or_default();
    if held.contains(customer_id) {
        holdout_conversions(tx, customer_id, payment_id, &quantities, products).await?;
    }
    let bought: Vec<String> = quantities.iter().map(|(p, _)| p.clone()).collect();
    let Some(rule) = best_rule(tx, customer_id, &bought, Timing::PostPurchase).await? else {
        return Ok(());
    };
    if rule.holdout_percent > 0 {
        held.insert(customer_id.to_string());
    }
    let Some(trigger) = bought
        .iter()
        .find_map(|b| products.iter().find(|p| &p.id == b))
    else {
        return Ok(());
    };
    let billing = (
        data.pointer("/billing/country")
            .and_then(Value::as_str)
            .map(str::to_string),
        data.pointer("/billing/zipcode")
            .and_then(Value::as_str)
            .map(str::to_string),
    );
    insert_offer(
        tx,
        &rule,
        products,
        NewOffer {
            customer_id,
            trigger_payment_id: Some(payment_id),
            trigger,
            billing,
            parent_offer_id: None,
        },
    )
    .await?;
    Ok(())
}

pub async fn on_payment_failed(tx: &mut Tx<'_>, data: &Value) -> Result<(), sqlx::Error> {
    match data.pointer("/metadata/offer_id").and_then(Value::as_str) {
        Some(offer_id) => settle(tx, offer_id, data, false).await,
        None => Ok(()),
    }
}

/// Records the outcome of our charge. Out-of-order or repeated outcomes cannot undo `paid`.
async fn settle(
    tx: &mut Tx<'_>,
    offer_id: &str,
    data: &Value,
    paid: bool,
) -> Result<(), sqlx::Error> {
    let Some(offer) = sqlx::query(&format!("SELECT {COLUMNS} FROM offers WHERE id = $1"))
        .bind(offer_id)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(());
    };
    let offer = from_row(&offer)?;
    if !offer.state.can_settle() {
        return Ok(());
    }
    let payment_id = data.get("payment_id").and_then(Value::as_str);
    let amount = data
        .get("total_amount")
        .and_then(Value::as_i64)
        .unwrap_or(offer.amount);
    // Rollups count in the offer's currency: Dodo settles a charge in the currency it was made in.
    if !paid && offer.state == OfferState::Failed {
        return Ok(());
    }
    // A success clears any earlier failure; a failure records Dodo's decline code.
    let (state, code) = if paid {
        (OfferState::Paid, None)
    } else {
        let code = data
            .get("error_code")
            .and_then(Value::as_str)
            .unwrap_or("UNKNOWN_ERROR");
        (OfferState::Failed, Some(code))
    };
    // Compare-and-set on the state read above: when a webhook and a read-back settle the same
    // charge at once (PostgreSQL runs them concurrently), only one moves it and records it.
    let moved = sqlx::query("UPDATE offers SET state = $1, payment_id = $2, failure_code = $3, failure_message = $4, updated_at = $5 WHERE id = $6 AND state = $7")
        .bind(state.as_str())
        .bind(payment_id)
        .bind(code)
        .bind(code.map(decline_reason))
        .bind(now_ms())
        .bind(offer_id)
        .bind(offer.state.as_str())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if moved == 0 {
        return Ok(());
    }
    let (kind, detail) = if paid {
        (EventKind::Paid, payment_id)
    } else {
        (EventKind::Failed, code)
    };
    event(tx, &offer, kind, Some(amount), detail).await
}

/// `refund.succeeded` for one of our charges: recorded for revenue (analytics subtract it).
pub async fn on_refund(tx: &mut Tx<'_>, data: &Value) -> Result<(), sqlx::Error> {
    let Some(payment_id) = data.get("payment_id").and_then(Value::as_str) else {
        return Ok(());
    };
    let Some(row) = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM offers WHERE payment_id = $1"
    ))
    .bind(payment_id)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(());
    };
    let offer = from_row(&row)?;
    let refund_id = data.get("refund_id").and_then(Value::as_str);
    // The same refund under a new webhook id must not be subtracted twice.
    if let Some(refund_id) = refund_id {
        let seen = sqlx::query(
            "SELECT 1 FROM offer_events WHERE offer_id = $1 AND kind = $2 AND detail = $3",
        )
        .bind(&offer.id)
        .bind(EventKind::Refunded.as_str())
        .bind(refund_id)
        .fetch_optional(&mut **tx)
        .await?;
        if seen.is_some() {
            return Ok(());
        }
    }
    let amount = data.get("amount").and_then(Value::as_i64).unwrap_or(0);
    event(tx, &offer, EventKind::Refunded, Some(amount), refund_id).await
}

async fn by_token(db: &Db, token: &str) -> Result<Offer, AppError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM offers WHERE token = $1"))
        .bind(token)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(from_row).transpose()?.ok_or_else(|| {
        AppError::new(ErrorCode::NotFound, "This offer link is not valid. It may have been mistyped; check the link in your email.")
    })
}

/// Moves `from → to` only if the offer is still in `from`; true when this call made the move.
async fn transition(
    tx: &mut Tx<'_>,
    offer: &Offer,
    from: OfferState,
    to: OfferState,
) -> Result<bool, sqlx::Error> {
    let n =
        sqlx::query("UPDATE offers SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4")
            .bind(to.as_str())
            .bind(now_ms())
            .bind(&offer.id)
            .bind(from.as_str())
            .execute(&mut **tx)
            .await?
            .rows_affected();
    Ok(n == 1)
}

/// Expires a pending offer whose time is up; true when it is (now) expired.
async fn expire_if_due(db: &Db, offer: &mut Offer) -> Result<bool, AppError> {
    if offer.state == OfferState::Pending && now_ms() >= offer.expires_at {
        let mut tx = begin_write(db).await?;
        if transition(&mut tx, offer, OfferState::Pending, OfferState::Expired).await? {
            event(&mut tx, offer, EventKind::Expired, None, None).await?;
        }
        tx.commit().await?;
        offer.state = OfferState::Expired;
    }
    Ok(offer.state == OfferState::Expired)
}

/// The failure code of a charge whose outcome was lost and which Dodo, asked well after, shows
/// it never made.
pub const NOT_CHARGED: &str = "NOT_CHARGED";

/// A charge still `charging` is read back from Dodo (safe, repeatable reads) and settled as
/// its webhook would: by the payment id the call returned, else by the customer's payment whose
/// metadata names this offer. When the call's response was lost and, three charge timeouts
/// later, Dodo shows no such payment, it never charged: the offer fails as not charged, with
/// the standard checkout link. Nothing is ever re-sent; a payment reported later still settles.
async fn read_back(state: &AppState, offer: &Offer) -> Result<Option<Offer>, AppError> {
    let since_call = now_ms() - offer.updated_at;
    let payment = match offer.payment_id.as_deref() {
        Some(pid) => state.dodo.payment(pid).await.ok(),
        // A moment after the call, its webhook is the cheaper and likelier answer.
        None if since_call < READ_BACK_AFTER_MS => return Ok(None),
        None => {
            // A minute of slack for clocks that disagree between us and Dodo.
            let since = offer.updated_at - 60_000;
            match state
                .dodo
                .payment_naming(&offer.customer_id, since, "offer_id", &offer.id)
                .await
            {
                Ok(p) => p,
                Err(_) => return Ok(None),
            }
        }
    };
    let Some(payment) = payment else {
        if offer.payment_id.is_none() && since_call > state.dodo.outcome_lost_after_ms() {
            tracing::warn!(offer_id = %offer.id, "charge outcome lost and no payment at Dodo: failed as not charged");
            fail_charging(state, offer, NOT_CHARGED, "not_charged").await?;
            return Ok(Some(by_token(&state.db, &offer.token).await?));
        }
        return Ok(None);
    };
    let paid = match payment.get("status").and_then(Value::as_str) {
        Some("succeeded") => true,
        Some("failed") | Some("cancelled") => false,
        _ => return Ok(None),
    };
    let mut tx = begin_write(&state.db).await?;
    settle(&mut tx, &offer.id, &payment, paid).await?;
    tx.commit().await?;
    Ok(Some(by_token(&state.db, &offer.token).await?))
}

/// Fails a `charging` offer with `code` (compare-and-set, so once), then offers the standard
/// checkout link. For charges Dodo refused or, read back, never made: nothing was charged.
async fn fail_charging(
    state: &AppState,
    offer: &Offer,
    code: &str,
    fallback_reason: &str,
) -> Result<(), AppError> {
    let mut tx = begin_write(&state.db).await?;
    let moved = sqlx::query("UPDATE offers SET state = $1, failure_code = $2, failure_message = $3, updated_at = $4 WHERE id = $5 AND state = $6")
        .bind(OfferState::Failed.as_str())
        .bind(code)
        .bind(decline_reason(code))
        .bind(now_ms())
        .bind(&offer.id)
        .bind(OfferState::Charging.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    if moved {
        event(&mut tx, offer, EventKind::Failed, None, Some(code)).await?;
    }
    tx.commit().await?;
    // Failed first by a webhook, the offer gets its link when it is next rendered.
    if moved {
        fall_back(state, offer, OfferState::Failed, fallback_reason).await?;
    }
    Ok(())
}

/// The offer as its page shows it; the first view records the `shown` event.
pub async fn view(
    state: &AppState,
    token: &str,
    next_token: Option<String>,
) -> Result<OfferView, AppError> {
    render(state, token, next_token, true, true).await
}

/// The same, for the merchant's backend polling the state: not counted as shown.
pub async fn peek(state: &AppState, token: &str) -> Result<OfferView, AppError> {
    render(state, token, None, false, true).await
}

async fn render(
    state: &AppState,
    token: &str,
    next_token: Option<String>,
    mark_shown: bool,
    read_back_charging: bool,
) -> Result<OfferView, AppError> {
    let mut offer = by_token(&state.db, token).await?;
    expire_if_due(&state.db, &mut offer).await?;
    if read_back_charging && offer.state == OfferState::Charging {
        if let Some(settled) = read_back(state, &offer).await? {
            offer = settled;
        }
    }
    // However it failed (refused, declined by webhook, never made), the customer's page shows
    // a failed charge with the standard checkout link, made on their first look if need be
    // (that is when they are sent to checkout; the merchant's polling sends nobody). If Dodo
    // cannot make one, the page still shows why the charge failed.
    if mark_shown && offer.state == OfferState::Failed && offer.fallback_url.is_none() {
        match fall_back(state, &offer, OfferState::Failed, "charge_failed").await {
            Ok(()) => offer = by_token(&state.db, token).await?,
            Err(e) => {
                tracing::warn!(error = %e.message, "no checkout link for a failed charge yet")
            }
        }
    }
    if mark_shown && offer.shown_at.is_none() && offer.state == OfferState::Pending {
        let mut tx = begin_write(&state.db).await?;
        let n = sqlx::query("UPDATE offers SET shown_at = $1 WHERE id = $2 AND shown_at IS NULL")
            .bind(now_ms())
            .bind(&offer.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 1 {
            event(&mut tx, &offer, EventKind::Shown, None, None).await?;
        }
        tx.commit().await?;
    }
    let products = state.dodo.products().await.unwrap_or_default();
    let name = |id: &str| {
        products
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    Ok(OfferView {
        token: offer.token.clone(),
        state: offer.state,
        headline: offer.headline.clone(),
        value_prop: offer.value_prop.clone(),
        badge: offer.badge.clone(),
        product_name: name(&offer.offer_product_id),
        quantity: offer.quantity as i32,
        amount: offer.amount,
        currency: offer.currency.clone(),
        trigger_product_name: name(&offer.trigger_product_id),
        trigger_amount: offer.trigger_amount,
        expires_at: offer.expires_at,
        now: now_ms(),
        failure_code: offer.failure_code.clone(),
        failure_message: offer
            .failure_code
            .as_deref()
            .map(|c| decline_reason(c).to_string()),
        fallback_url: offer.fallback_url.clone(),
        next_token,
        update_method_url: matches!(offer.state, OfferState::Failed | OfferState::Fallback)
            .then(|| offer.fallback_url.clone())
            .flatten(),
    })
}

fn checkout_body(state: &AppState, offer: &Offer, method: Option<&str>) -> Value {
    let mut body = json!({
        "product_cart": [{ "product_id": offer.offer_product_id, "quantity": offer.quantity }],
        "customer": { "customer_id": offer.customer_id },
        "return_url": format!("{}/offer/{}", state.app_url, offer.token),
        "metadata": { "offer_id": offer.id, "upsell_source": "one_click" },
        "feature_flags": { "redirect_immediately": true },
    });
    if let Some(m) = method {
        body["payment_method_id"] = json!(m);
        body["confirm"] = json!(true);
        if let Some(country) = &offer.billing_country {
            body["minimal_address"] = json!(true);
            body["billing_address"] =
                json!({ "country": country, "zipcode": offer.billing_zipcode });
        }
    }
    body
}

/// Sends the customer to a standard checkout for the same product, saying why.
async fn fall_back(
    state: &AppState,
    offer: &Offer,
    to: OfferState,
    reason: &str,
) -> Result<(), AppError> {
    let url = state
        .dodo
        .hosted_checkout(checkout_body(state, offer, None))
        .await?;
    let mut tx = begin_write(&state.db).await?;
    let moved = if to == OfferState::Fallback {
        transition(&mut tx, offer, OfferState::Pending, to).await?
    } else {
        true
    };
    // The first link stands: two looks at once record one fallback.
    let linked =
        sqlx::query("UPDATE offers SET fallback_url = $1 WHERE id = $2 AND fallback_url IS NULL")
            .bind(&url)
            .bind(&offer.id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
    if moved && linked {
        event(&mut tx, offer, EventKind::Fallback, None, Some(reason)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The customer's saved method that a one-click charge in `currency` may use this month, if any.
pub async fn one_click_method(
    state: &AppState,
    customer_id: &str,
    currency: &str,
) -> Result<Option<String>, AppError> {
    use chrono::Datelike;
    let methods = state.dodo.payment_methods(customer_id).await?;
    let now = chrono::Utc::now();
    Ok(eligible_method(&methods, currency, (now.year(), now.month())).map(|m| m.id.clone()))
}

/// One click: exactly one charge attempt, ever, per offer.
pub async fn accept(state: &AppState, token: &str) -> Result<OfferView, AppError> {
    accept_timed(state, token).await.map(|r| r.0)
}

/// `accept`, also returning the time spent waiting for Dodo (for the Server-Timing header
/// the latency benchmark reads: our own overhead is the rest).
pub async fn accept_timed(
    state: &AppState,
    token: &str,
) -> Result<(OfferView, std::time::Duration), AppError> {
    let mut dodo_time = std::time::Duration::ZERO;
    let view_timed = |v: Result<OfferView, AppError>, d| v.map(|v| (v, d));
    let mut offer = by_token(&state.db, token).await?;
    if expire_if_due(&state.db, &mut offer).await? || offer.state != OfferState::Pending {
        // Already accepted, declined, settled or expired: show where it stands, do nothing.
        return view_timed(view(state, token, None).await, dodo_time);
    }
    let t = std::time::Instant::now();
    let method = one_click_method(state, &offer.customer_id, &offer.currency).await?;
    dodo_time += t.elapsed();
    let Some(method) = method else {
        fall_back(state, &offer, OfferState::Fallback, "no_eligible_method").await?;
        return view_timed(view(state, token, None).await, dodo_time);
    };
    // The guard: only the call that moves pending → charging may charge.
    let mut tx = begin_write(&state.db).await?;
    if !transition(&mut tx, &offer, OfferState::Pending, OfferState::Charging).await? {
        drop(tx);
        return view_timed(view(state, token, None).await, dodo_time);
    }
    event(
        &mut tx,
        &offer,
        EventKind::Accepted,
        Some(offer.amount),
        None,
    )
    .await?;
    tx.commit().await?;
    match state
        .dodo
        .charge(checkout_body(state, &offer, Some(&method)))
        .await
    {
        ChargeCall::Accepted {
            session_id,
            payment_id,
        } => {
            sqlx::query("UPDATE offers SET checkout_session_id = $1, payment_id = COALESCE(payment_id, $2) WHERE id = $3")
                .bind(session_id)
                .bind(payment_id)
                .bind(&offer.id)
                .execute(&state.db)
                .await?;
        }
        ChargeCall::Refused { code, .. } => {
            fail_charging(state, &offer, &code, "charge_refused").await?;
        }
        // Left `charging`: the payment webhook (metadata names this offer) settles it.
        ChargeCall::Unknown => {}
    }
    // No read-back here: the charge was made a moment ago; its webhook or a later look settles it.
    view_timed(render(state, token, None, true, false).await, dodo_time)
}

/// One click "No thanks": never this rule again for this customer; the downsell, if any, next.
pub async fn decline(state: &AppState, token: &str) -> Result<OfferView, AppError> {
    let mut offer = by_token(&state.db, token).await?;
    if expire_if_due(&state.db, &mut offer).await? || offer.state != OfferState::Pending {
        return view(state, token, None).await;
    }
    let products = state.dodo.products().await?;
    let mut tx = begin_write(&state.db).await?;
    if !transition(&mut tx, &offer, OfferState::Pending, OfferState::Declined).await? {
        drop(tx);
        return view(state, token, None).await;
    }
    event(&mut tx, &offer, EventKind::Declined, None, None).await?;
    sqlx::query("INSERT INTO declines (customer_id, rule_id, at) VALUES ($1, $2, $3) ON CONFLICT (customer_id, rule_id) DO NOTHING")
        .bind(&offer.customer_id)
        .bind(&offer.rule_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    let down = sqlx::query(&format!(
        "SELECT {MATCH_COLUMNS} FROM rules r \
         WHERE r.parent_rule_id = $1 AND r.kind = $2 AND r.enabled = 1 \
         AND NOT EXISTS (SELECT 1 FROM declines d WHERE d.customer_id = $3 AND d.rule_id = r.id)"
    ))
    .bind(&offer.rule_id)
    .bind(RuleKind::Downsell.as_str())
    .bind(&offer.customer_id)
    .fetch_optional(&mut *tx)
    .await?;
    let mut next = None;
    if let (Some(r), Some(trigger)) = (
        down,
        products.iter().find(|p| p.id == offer.trigger_product_id),
    ) {
        let rule = rule_match(&r)?;
        next = insert_offer(
            &mut tx,
            &rule,
            &products,
            NewOffer {
                customer_id: &offer.customer_id,
                trigger_payment_id: offer.trigger_payment_id.as_deref(),
                trigger,
                billing: (offer.billing_country.clone(), offer.billing_zipcode.clone()),
                parent_offer_id: Some(&offer.id),
            },
        )
        .await?;
    }
    tx.commit().await?;
    view(state, token, next).await
}

/// The customer's open offer (pending and not expired), newest first.
pub async fn open_for_customer(
    state: &AppState,
    customer_id: &str,
) -> Result<Option<OfferView>, AppError> {
    let token: Option<String> = sqlx::query("SELECT token FROM offers WHERE customer_id = $1 AND state = $2 AND expires_at > $3 ORDER BY expires_at DESC LIMIT 1")
        .bind(customer_id)
        .bind(OfferState::Pending.as_str())
        .bind(now_ms())
        .fetch_optional(&state.db)
        .await?
        .map(|r| r.try_get("token"))
        .transpose()?;
    match token {
        Some(t) => Ok(Some(view(state, &t, None).await?)),
        None => Ok(None),
    }
}

/// The merchant's backend reports a moment (usage milestone, near plan limit, onboarding
/// complete) for a customer on a product: the best matching rule makes an offer.
pub async fn report_event(
    state: &AppState,
    customer_id: &str,
    product_id: &str,
    timing: Timing,
) -> Result<Option<String>, AppError> {
    let products = state.dodo.products().await?;
    let trigger = products
        .iter()
        .find(|p| p.id == product_id)
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                "product_id is not a product of this business; use the id from Dodo Payments.",
            )
        })?;
    let mut tx = begin_write(&state.db).await?;
    let Some(rule) = best_rule(&mut tx, customer_id, &[product_id.to_string()], timing).await?
    else {
        return Ok(None);
    };
    // Not a purchase: a fresh key per report, so reports of the same moment do not collide.
    let key = new_id("evt");
    let token = insert_offer(
        &mut tx,
        &rule,
        &products,
        NewOffer {
            customer_id,
            trigger_payment_id: Some(&key),
            trigger,
            billing: (None, None),
            parent_offer_id: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}
