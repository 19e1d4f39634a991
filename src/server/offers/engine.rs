//! Which rule fires for a purchase or a reported moment, and the offer it makes (hold-outs
//! included: a held-out customer gets none, and their own later purchase is counted).
use super::holdout::holdout_conversions;
use super::make::{self, insert_offer, NewOffer};
use super::page::view;
use super::settle::settle;
use super::Tx;
use crate::domain::error::{AppError, ErrorCode};
use crate::domain::offer::{OfferState, OfferView};
use crate::domain::offer_action::{choose, NoOffer};
use crate::domain::rule::target::{winner, Candidate, CustomerFilter, FrequencyCap, Purchase};
use crate::domain::rule::{Discount, ProductSummary, RuleKind, Timing};
use crate::domain::rule::{Targeting, ANY_PRODUCT};
use crate::server::db::begin_write;
use crate::server::ids::{new_id, now_ms};
use crate::server::purchases::History;
use crate::server::state::AppState;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// A matching rule, read inside the transaction.
pub(super) struct RuleMatch {
    pub(super) id: String,
    pub(super) kind: String,
    pub(super) offer_product_id: String,
    pub(super) quantity: i64,
    pub(super) headline: String,
    pub(super) value_prop: String,
    pub(super) badge: Option<String>,
    pub(super) expiry_minutes: i64,
    pub(super) variant_b_product_id: Option<String>,
    pub(super) variant_b_headline: Option<String>,
    pub(super) variant_b_weight: i64,
    pub(super) holdout_percent: i64,
    pub(super) proration_mode: String,
    pub(super) on_payment_failure: String,
    pub(super) free_days: i64,
    pub(super) discount: Discount,
}

pub(super) const MATCH_COLUMNS: &str = "r.id, r.kind, r.offer_product_id, r.quantity, r.headline, r.value_prop, r.badge, \
    r.expiry_minutes, r.priority, r.variant_b_product_id, r.variant_b_headline, r.variant_b_weight, r.holdout_percent, \
    r.proration_mode, r.on_payment_failure, r.free_days, r.discount_percent, r.discount_cycles";

/// The rules that may follow a batch of purchases (or one reported moment): those for what was
/// bought and the catch-alls, with their conditions; the buyers' declines; and, when a rule
/// asks about it, what each buyer bought before. Three queries per batch at most, instead of
/// some per purchase (the ingest's hot path); the choice itself is `domain::rule::target`.
pub struct RuleBook {
    rules: Vec<BookRule>,
    declined: HashSet<(String, String)>,
    /// Per buyer: what they bought before (only when a rule needs it).
    history: Option<HashMap<String, History>>,
    /// This batch's purchases, to record ([`RuleBook::store_purchases`]).
    bought: Vec<(String, Purchase)>,
    /// This batch's offers, written at its end ([`RuleBook::finish`]).
    offers: Vec<make::OfferRow>,
    cap: FrequencyCap,
}

struct BookRule {
    trigger: String,
    priority: i64,
    name: String,
    targeting: Targeting,
    m: RuleMatch,
}

impl RuleBook {
    pub async fn load(tx: &mut Tx, buyers: &[&str], bought: &[&str]) -> Result<Self, sqlx::Error> {
        let book = Self::load_for(tx, Timing::PostPurchase, buyers, bought).await?;
        if book.cap.is_set() {
            crate::server::targeting::lock_customers(tx, buyers).await?;
        }
        Ok(book)
    }

    async fn load_for(
        conn: &mut sqlx::AnyConnection,
        timing: Timing,
        buyers: &[&str],
        bought: &[&str],
    ) -> Result<Self, sqlx::Error> {
        let mut book = Self {
            rules: Vec::new(),
            declined: HashSet::new(),
            history: None,
            bought: Vec::new(),
            offers: Vec::new(),
            cap: FrequencyCap::default(),
        };
        if buyers.is_empty() || bought.is_empty() {
            return Ok(book);
        }
        let mut triggers = bought.to_vec();
        triggers.push(ANY_PRODUCT);
        let (list, binds) = crate::server::db::in_list(5, &triggers);
        let sql = format!(
            "SELECT {MATCH_COLUMNS}, r.trigger_product_id, r.name, r.targeting FROM rules r \
             WHERE r.enabled = 1 AND r.kind NOT IN ($1, $2, $3) AND r.timing = $4 \
             AND r.trigger_product_id IN ({list}) ORDER BY r.priority, r.id"
        );
        let mut q = sqlx::query(&sql)
            .bind(RuleKind::Downsell.as_str())
            .bind(RuleKind::Save.as_str())
            .bind(RuleKind::Next.as_str())
            .bind(timing.as_str());
        for b in binds {
            q = q.bind(b);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let targeting: String = r.try_get("targeting")?;
            book.rules.push(BookRule {
                trigger: r.try_get("trigger_product_id")?,
                priority: r.try_get("priority")?,
                name: r.try_get("name")?,
                // A rule whose conditions cannot be read must not fire for everyone.
                targeting: serde_json::from_str(&targeting)
                    .map_err(|e| sqlx::Error::Decode(e.into()))?,
                m: rule_match(&r)?,
            });
        }
        if book.rules.is_empty() {
            return Ok(book);
        }
        book.cap = crate::server::targeting::cap(conn).await?;
        let (list, binds) = crate::server::db::in_list(1, buyers);
        let sql =
            format!("SELECT customer_id, rule_id FROM declines WHERE customer_id IN ({list})");
        let mut q = sqlx::query(&sql);
        for b in binds.iter() {
            q = q.bind(b);
        }
        for r in q.fetch_all(&mut *conn).await? {
            book.declined
                .insert((r.try_get("customer_id")?, r.try_get("rule_id")?));
        }
        let needs_history = book.rules.iter().any(|r| {
            r.targeting.customer != CustomerFilter::Any || !r.targeting.exclude_holders.is_empty()
        });
        if needs_history {
            book.history = Some(crate::server::purchases::histories(conn, buyers).await?);
        }
        Ok(book)
    }

    /// Completes what the trigger said with the buyer's history, and notes this purchase so a
    /// later one in the same batch sees it.
    fn know(&mut self, p: &mut Purchase, payment_id: &str) {
        let Some(history) = self.history.as_mut() else {
            return;
        };
        let h = history.entry(p.customer_id.clone()).or_default();
        p.returning = h.payments.iter().any(|x| x != payment_id);
        p.holds.extend(h.holds.iter().cloned());
        h.payments.insert(payment_id.to_string());
        h.holds.extend(p.products.iter().cloned());
    }

    /// The rule that fires for the purchase, if any (`domain::rule::target::choose`).
    fn best(&self, p: &Purchase, products: &[ProductSummary]) -> Option<(&str, &RuleMatch)> {
        let candidates: Vec<Candidate<'_>> = self
            .rules
            .iter()
            .map(|r| Candidate {
                id: &r.m.id,
                name: &r.name,
                trigger: &r.trigger,
                priority: r.priority,
                enabled: true,
                declined: self
                    .declined
                    .contains(&(p.customer_id.clone(), r.m.id.clone())),
                offer_currency: products
                    .iter()
                    .find(|x| x.id == r.m.offer_product_id)
                    .map(|x| x.currency.as_str()),
                targeting: &r.targeting,
            })
            .collect();
        let id = winner(&candidates, p)?;
        self.rules
            .iter()
            .find(|r| r.m.id == id)
            .map(|r| (r.trigger.as_str(), &r.m))
    }

    /// Writes the batch's offers (one statement) and records its purchases: the history
    /// later conditions and the replay read.
    pub async fn finish(self, tx: &mut Tx) -> Result<(), sqlx::Error> {
        make::write(tx, self.offers).await?;
        crate::server::purchases::record(tx, &self.bought).await
    }
}

pub(super) fn rule_match(r: &AnyRow) -> Result<RuleMatch, sqlx::Error> {
    Ok(RuleMatch {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
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
        proration_mode: r.try_get("proration_mode")?,
        on_payment_failure: r.try_get("on_payment_failure")?,
        free_days: r.try_get("free_days")?,
        discount: Discount {
            percent: r.try_get::<i64, _>("discount_percent")? as i32,
            cycles: r.try_get::<i64, _>("discount_cycles")? as i32,
        },
    })
}

/// `payment.succeeded`: settles our own charge (metadata names the offer) or, for an ordinary
/// purchase, creates the best post-purchase offer. `held` holds the customers who may have an
/// open hold-out (from `open_holdouts`); this adds any customer it may hold out now, so a later
/// purchase in the same batch still converts it.
pub async fn on_payment_succeeded(
    tx: &mut Tx,
    products: &[ProductSummary],
    data: &Value,
    held: &mut HashSet<String>,
    book: &mut RuleBook,
) -> Result<(), sqlx::Error> {
    if let Some(offer_id) = data.pointer("/metadata/offer_id").and_then(Value::as_str) {
        return settle(tx, offer_id, data, true, products).await;
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
    let country = data
        .pointer("/billing/country")
        .and_then(Value::as_str)
        .map(str::to_uppercase);
    let mut purchase = Purchase {
        customer_id: customer_id.to_string(),
        products: bought.clone(),
        total: data.get("total_amount").and_then(Value::as_i64),
        currency: data
            .get("currency")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_uppercase(),
        country,
        quantity: quantities.iter().map(|(_, q)| *q).max().unwrap_or(1),
        returning: false,
        holds: bought.clone(),
        at_ms: now_ms(),
    };
    book.know(&mut purchase, payment_id);
    book.bought.push((payment_id.to_string(), purchase.clone()));
    let Some((rule_trigger, rule)) = book.best(&purchase, products) else {
        return Ok(());
    };
    if rule.holdout_percent > 0 {
        held.insert(customer_id.to_string());
    }
    let in_batch = book
        .offers
        .iter()
        .filter(|o| o.customer_id == customer_id)
        .count();
    if !crate::server::targeting::under_cap(tx, book.cap, customer_id, in_batch as i64).await? {
        tracing::info!(rule_id = %rule.id, "offer not made: the customer reached the frequency cap");
        return Ok(());
    }
    // The product the rule follows (any bought product for a catch-all).
    let Some(trigger) = bought
        .iter()
        .filter(|b| rule_trigger == ANY_PRODUCT || *b == rule_trigger)
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
    let new = NewOffer {
        customer_id,
        trigger_payment_id: Some(payment_id),
        trigger,
        billing,
        parent_offer_id: None,
        subscription_id: data.get("subscription_id").and_then(Value::as_str),
    };
    // Written with the batch's others (`RuleBook::write_offers`).
    if let Some(row) = make::prepare(tx, rule, products, new).await? {
        book.offers.push(row);
    }
    Ok(())
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

/// What a reported moment led to: an offer, or why none was made.
pub enum Reported {
    Offer(String),
    NoRule,
    /// A rule matched but its plan cannot be offered to this customer (logged and counted).
    Refused(NoOffer),
}

/// The merchant's backend reports a moment (usage milestone, near plan limit, onboarding
/// complete) for a customer on a product, optionally naming the subscription it concerns: the
/// best matching rule makes an offer. A plan is offered only when it is clear what accepting
/// does (`domain::offer_action::choose`), decided before the offer is made.
pub async fn report_event(
    state: &AppState,
    customer_id: &str,
    product_id: &str,
    subscription_id: Option<&str>,
    timing: Timing,
) -> Result<Reported, AppError> {
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
    // Read first, outside the write lock: a plan offer asks Dodo what the customer holds.
    let mut read = state.db.begin().await?;
    let mut book = RuleBook::load_for(&mut read, timing, &[customer_id], &[product_id]).await?;
    drop(read);
    // A reported moment has no order: rules with an order-value condition do not fire.
    let mut moment = Purchase {
        customer_id: customer_id.to_string(),
        products: vec![product_id.to_string()],
        total: None,
        currency: trigger.currency.clone(),
        country: None,
        quantity: 1,
        returning: false,
        holds: vec![product_id.to_string()],
        at_ms: now_ms(),
    };
    book.know(&mut moment, "");
    let Some((_, rule)) = book.best(&moment, &products) else {
        return Ok(Reported::NoRule);
    };
    let offered = products.iter().find(|p| p.id == rule.offer_product_id);
    if let Some(offered) = offered.filter(|p| p.is_recurring) {
        let held = super::plan::held(state, customer_id).await?;
        if let Err(why) = choose(offered, rule.quantity, subscription_id, &held) {
            tracing::info!(rule_id = %rule.id, reason = why.as_str(), "plan offer not made");
            return Ok(Reported::Refused(why));
        }
    }
    let mut tx = begin_write(&state.db).await?;
    if book.cap.is_set() {
        crate::server::targeting::lock_customers(&mut tx, &[customer_id]).await?;
        if !crate::server::targeting::under_cap(&mut tx, book.cap, customer_id, 0).await? {
            return Ok(Reported::NoRule);
        }
    }
    // Not a purchase: a fresh key per report, so reports of the same moment do not collide.
    let key = new_id("evt");
    let token = insert_offer(
        &mut tx,
        rule,
        &products,
        NewOffer {
            customer_id,
            trigger_payment_id: Some(&key),
            trigger,
            billing: (None, None),
            parent_offer_id: None,
            subscription_id,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(token.map_or(Reported::NoRule, Reported::Offer))
}
