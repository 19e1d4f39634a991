//! The amount on the page is the amount charged. An offer is quoted when it is shown and again
//! at accept: a one-time product by its current price, a new subscription by its first period,
//! a plan change by Dodo's change-plan preview. When the fresh quote differs from what the
//! customer saw, nothing is charged and the page shows the new amount for a new click.
use super::{plan, Offer};
use crate::domain::error::{AppError, ErrorCode};
use crate::domain::offer::OfferState;
use crate::domain::offer_action::{choose, NoOffer, OfferAction};
use crate::domain::subscription::EffectiveAt;
use crate::server::db::{begin_write, write};
use crate::server::ids::now_ms;
use crate::server::state::AppState;

/// What accepting would do and charge, now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Quote {
    pub action: OfferAction,
    /// Charged at accept.
    pub amount: i64,
    /// Before the offer's discount, when one applies (a checkout's charge).
    pub full_amount: Option<i64>,
    pub subscription_id: Option<String>,
    pub from_product_id: Option<String>,
    /// What each period costs before the accept (a subscription's current price).
    pub from_amount: Option<i64>,
    pub from_quantity: Option<i64>,
    /// Each period after the accept, and from when.
    pub recurring_amount: Option<i64>,
    pub recurring_from: Option<i64>,
    pub effective_at: Option<EffectiveAt>,
}

pub(super) enum Quoted {
    /// The quote the customer saw still holds.
    Same(Quote),
    /// Quoted for the first time, or the amount moved: stored, shown again, not charged.
    Moved,
    /// The offer can no longer be made (the subscription ended, the product is gone).
    Withdrawn,
}

/// A recurring offer's quote goes stale: prorated amounts move with the clock.
const QUOTE_TTL_MS: i64 = 10 * 60_000;

pub(super) fn is_stale(offer: &Offer) -> bool {
    offer
        .quoted_at
        .is_none_or(|t| offer.action != OfferAction::OneTime && now_ms() - t > QUOTE_TTL_MS)
}

async fn fresh(state: &AppState, offer: &Offer) -> Result<Result<Quote, NoOffer>, AppError> {
    let products = state.dodo.products().await?;
    let Some(offered) = products.iter().find(|p| p.id == offer.offer_product_id) else {
        return Ok(Err(NoOffer::ProductGone));
    };
    let price = offered.price.saturating_mul(offer.quantity);
    // A checkout's charge takes the offer's discount; each later period too when it lasts
    // for every cycle, else the full price once its cycles are used.
    let d = offer.discount;
    let simple = |action| Quote {
        action,
        amount: d.apply(price),
        full_amount: d.is_set().then_some(price),
        subscription_id: None,
        from_product_id: None,
        from_amount: None,
        from_quantity: None,
        recurring_amount: offered.is_recurring.then_some(if d.cycles == 0 {
            d.apply(price)
        } else {
            price
        }),
        recurring_from: None,
        effective_at: None,
    };
    match offer.action {
        OfferAction::OneTime => Ok(Ok(simple(OfferAction::OneTime))),
        OfferAction::FreeTime => plan::quote_free_time(state, offer).await,
        OfferAction::NewSubscription | OfferAction::PlanChange => {
            let held = plan::held(state, &offer.customer_id).await?;
            match choose(
                offered,
                offer.quantity,
                offer.subscription_id.as_deref(),
                &held,
            ) {
                Err(why) => Ok(Err(why)),
                Ok(c) if c.action == OfferAction::PlanChange => {
                    let sid = c.subscription_id.unwrap_or_default();
                    match plan::quote(state, offer, &sid, offered).await {
                        // Dodo refused the preview (the subscription went inactive or was
                        // set to end after we read it): the change would be refused too, so
                        // the customer learns the offer ended, not support's error.
                        Err(e) if e.code == ErrorCode::Validation => Ok(Err(NoOffer::Refused)),
                        quoted => quoted.map(Ok),
                    }
                }
                Ok(c) => Ok(Ok(simple(c.action))),
            }
        }
    }
}

/// Quotes `offer` afresh and stores the quote when it moved (or was never made).
pub(super) async fn requote(state: &AppState, offer: &Offer) -> Result<Quoted, AppError> {
    let q = match fresh(state, offer).await? {
        Ok(q) => q,
        Err(why) => {
            withdraw(state, offer, why).await?;
            return Ok(Quoted::Withdrawn);
        }
    };
    let same = offer.quoted_at.is_some()
        && offer.amount == q.amount
        && offer.action == q.action
        && offer.recurring_amount == q.recurring_amount
        && offer.full_amount == q.full_amount;
    if same && !is_stale(offer) {
        // Nothing to write: the accept's path stays free of a needless commit.
        return Ok(Quoted::Same(q));
    }
    store(state, offer, &q).await?;
    Ok(if same { Quoted::Same(q) } else { Quoted::Moved })
}

async fn store(state: &AppState, offer: &Offer, q: &Quote) -> Result<(), AppError> {
    // Only while pending: a quote never rewrites an offer already being charged.
    write(&state.db, sqlx::query(
        "UPDATE offers SET action = $1, amount = $2, subscription_id = COALESCE($3, subscription_id), \
         from_product_id = $4, recurring_amount = $5, recurring_from = $6, effective_at = $7, quoted_at = $8, \
         full_amount = $9 WHERE id = $10 AND state = $11",
    )
    .bind(q.action.as_str())
    .bind(q.amount)
    .bind(&q.subscription_id)
    .bind(&q.from_product_id)
    .bind(q.recurring_amount)
    .bind(q.recurring_from)
    .bind(q.effective_at.map(EffectiveAt::as_str))
    .bind(now_ms())
    .bind(q.full_amount)
    .bind(&offer.id)
    .bind(OfferState::Pending.as_str())
    )
    .await?;
    Ok(())
}

/// The offer cannot be made as it stands (e.g. the customer holds several subscriptions and
/// none was named, or the subscription ended): withdrawn, counted as expired with the reason.
async fn withdraw(state: &AppState, offer: &Offer, why: NoOffer) -> Result<(), AppError> {
    tracing::info!(offer_id = %offer.id, reason = why.as_str(), "offer withdrawn");
    let mut tx = begin_write(&state.db).await?;
    super::withdraw(&mut tx, offer, why, why.as_str()).await?;
    tx.commit().await?;
    Ok(())
}
