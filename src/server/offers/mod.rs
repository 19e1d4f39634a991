//! The offer engine: purchases (and subscribers' cancel requests) create offers; customers
//! accept, charged exactly once, or decline, never offered that rule again. What an accept does
//! depends on what the customer holds (`domain::offer_action`): a one-time charge, a checkout
//! that starts a subscription, a change-plan of the subscription they hold, or free time.
//!
//! - `engine`: which rule fires (with hold-outs); `make`: writing the offers it makes;
//! - `page`: the offer as its page shows it, quoted when it is shown;
//! - `accept`: one click, one charge, or the fallback; decline and the downsell;
//! - `plan`: the change-plan quote and accept for subscribers;
//! - `save`: save offers for subscribers who ask to cancel;
//! - `settle`: outcomes by webhook or read-back.
mod accept;
mod decline;
mod engine;
mod follow;
mod holdout;
mod make;
mod page;
mod plan;
mod quote;
mod save;
mod settle;

pub use accept::{accept, accept_timed, charged_method, one_click_method};
pub use decline::decline;
pub use engine::{on_payment_succeeded, open_for_customer, report_event, Reported, RuleBook};
pub use holdout::{hold_out, holdout_subject, open_holdouts};
pub use page::{peek, view};
pub use save::{request_cancel, spawn_sweeper, sweep, CancelOutcome};
pub use settle::{
    on_dispute, on_payment_failed, on_refund, on_refund_failed, on_subscription_changed,
    on_subscription_ended,
};

use super::db::{begin_write, Db};
use super::ids::now_ms;
use super::rollups::{self, Subject};
use crate::domain::analytics::{EventKind, Variant};
use crate::domain::error::{AppError, ErrorCode};
use crate::domain::offer::OfferState;
use crate::domain::offer_action::{NoOffer, OfferAction};
use crate::domain::proration::ProrationMode;
use crate::domain::rule::Discount;
use crate::domain::subscription::{EffectiveAt, OnPaymentFailure};
use sqlx::any::AnyRow;
use sqlx::Row;

pub(super) use crate::server::db::WriteTx as Tx;

#[derive(Clone)]
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
    /// What an accept does; for a recurring product decided at the first quote.
    pub action: OfferAction,
    /// The subscription a plan change or a save offer acts on (named by the trigger).
    pub subscription_id: Option<String>,
    pub from_product_id: Option<String>,
    /// After a plan change or a new subscription: what each period costs, and from when.
    pub recurring_amount: Option<i64>,
    pub billing_interval: Option<String>,
    pub recurring_from: Option<i64>,
    pub effective_at: Option<EffectiveAt>,
    pub proration_mode: Option<ProrationMode>,
    pub on_payment_failure: Option<OnPaymentFailure>,
    pub free_days: Option<i64>,
    /// When `amount` was last quoted; `None` until the first quote of a recurring offer.
    pub quoted_at: Option<i64>,
    pub plan_change_id: Option<String>,
    /// A save offer: made for a subscriber's cancel request (its decline cancels).
    pub save: bool,
    /// The rule's discount when the offer was made; it applies to a one-time charge or a new
    /// subscription (`full_amount` is then the price before it), never to a plan change.
    pub discount: Discount,
    pub full_amount: Option<i64>,
    /// The single-use Dodo code made for this offer's charge, once made.
    pub discount_code: Option<String>,
}

impl Offer {
    pub(super) fn subject(&self) -> Subject<'_> {
        Subject {
            id: &self.id,
            rule_id: &self.rule_id,
            variant: self.variant,
            currency: &self.currency,
            trigger_amount: self.trigger_amount,
        }
    }
}

pub(super) const COLUMNS: &str = "id, token, rule_id, customer_id, trigger_payment_id, trigger_product_id, trigger_amount, \
    offer_product_id, quantity, amount, currency, headline, value_prop, badge, billing_country, billing_zipcode, \
    state, payment_id, failure_code, fallback_url, shown_at, expires_at, variant, updated_at, action, \
    subscription_id, from_product_id, recurring_amount, billing_interval, recurring_from, effective_at, \
    proration_mode, on_payment_failure, free_days, quoted_at, plan_change_id, \
    discount_percent, discount_cycles, full_amount, discount_code, \
    CASE WHEN EXISTS (SELECT 1 FROM cancellations c WHERE c.offer_id = offers.id) THEN 1 ELSE 0 END AS is_save";

pub(super) fn from_row(r: &AnyRow) -> Result<Offer, sqlx::Error> {
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
        action: OfferAction::parse(&r.try_get::<String, _>("action")?)
            .ok_or_else(|| sqlx::Error::Decode("unknown offer action".into()))?,
        subscription_id: r.try_get("subscription_id")?,
        from_product_id: r.try_get("from_product_id")?,
        recurring_amount: r.try_get("recurring_amount")?,
        billing_interval: r.try_get("billing_interval")?,
        recurring_from: r.try_get("recurring_from")?,
        effective_at: r
            .try_get::<Option<String>, _>("effective_at")?
            .as_deref()
            .and_then(EffectiveAt::parse),
        proration_mode: r
            .try_get::<Option<String>, _>("proration_mode")?
            .as_deref()
            .and_then(ProrationMode::parse),
        on_payment_failure: r
            .try_get::<Option<String>, _>("on_payment_failure")?
            .as_deref()
            .and_then(OnPaymentFailure::parse),
        free_days: r.try_get("free_days")?,
        quoted_at: r.try_get("quoted_at")?,
        plan_change_id: r.try_get("plan_change_id")?,
        save: r.try_get::<i64, _>("is_save")? == 1,
        discount: Discount {
            percent: r.try_get::<i64, _>("discount_percent")? as i32,
            cycles: r.try_get::<i64, _>("discount_cycles")? as i32,
        },
        full_amount: r.try_get("full_amount")?,
        discount_code: r.try_get("discount_code")?,
    })
}

/// Records an event of `offer` now (and its rollups) inside `tx`.
pub(super) async fn event(
    tx: &mut Tx,
    offer: &Offer,
    kind: EventKind,
    amount: Option<i64>,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    rollups::record(tx, &offer.subject(), kind, amount, detail, now_ms()).await
}

pub(super) async fn by_token(db: &Db, token: &str) -> Result<Offer, AppError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM offers WHERE token = $1"))
        .bind(token)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(from_row).transpose()?.ok_or_else(|| {
        AppError::new(ErrorCode::NotFound, "This offer link is not valid. It may have been mistyped; check the link in your email.")
    })
}

/// Moves `from → to` only if the offer is still in `from`; true when this call made the move.
pub(super) async fn transition(
    tx: &mut Tx,
    offer: &Offer,
    from: OfferState,
    to: OfferState,
) -> Result<bool, sqlx::Error> {
    transition_why(tx, offer, from, to, None).await
}

/// [`transition`], recording `why` in `failure_code` in the same statement when given.
async fn transition_why(
    tx: &mut Tx,
    offer: &Offer,
    from: OfferState,
    to: OfferState,
    why: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE offers SET state = $1, updated_at = $2, failure_code = COALESCE($5, failure_code) \
         WHERE id = $3 AND state = $4",
    )
    .bind(to.as_str())
    .bind(now_ms())
    .bind(&offer.id)
    .bind(from.as_str())
    .bind(why)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Withdraws a pending offer that can no longer be made as it stands: expired, `why` kept on
/// the offer (its page tells the customer) and `detail` on its event. True when it moved.
pub(super) async fn withdraw(
    tx: &mut Tx,
    offer: &Offer,
    why: NoOffer,
    detail: &str,
) -> Result<bool, sqlx::Error> {
    let moved = transition_why(
        tx,
        offer,
        OfferState::Pending,
        OfferState::Expired,
        Some(why.as_str()),
    )
    .await?;
    if moved {
        event(tx, offer, EventKind::Expired, None, Some(detail)).await?;
    }
    Ok(moved)
}

/// Expires a pending offer whose time is up; true when it is (now) expired.
pub(super) async fn expire_if_due(db: &Db, offer: &mut Offer) -> Result<bool, AppError> {
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
