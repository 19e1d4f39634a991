//! The offer as its page (and the merchant's API) shows it, quoted when shown.
use super::accept::fall_back;
use super::quote::is_stale;
pub(super) use super::quote::{requote, Quoted};
use super::settle::read_back;
use super::{by_token, event, expire_if_due};
use crate::domain::analytics::EventKind;
use crate::domain::error::AppError;
use crate::domain::offer::{decline_reason, ComparedWith, OfferState, OfferView, PriceComparison};
use crate::domain::offer_action::NoOffer;
use crate::domain::rule::RuleKind;
use crate::domain::subscription::EffectiveAt;
use crate::server::db::begin_write;
use crate::server::ids::now_ms;
use crate::server::state::AppState;

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

pub(super) async fn render(
    state: &AppState,
    token: &str,
    next_token: Option<String>,
    mark_shown: bool,
    read_back_charging: bool,
) -> Result<OfferView, AppError> {
    let mut offer = by_token(&state.db, token).await?;
    expire_if_due(&state.db, &mut offer).await?;
    // A pending offer is quoted when it is shown: the amount on the page is what accept charges.
    if mark_shown && offer.state == OfferState::Pending && is_stale(&offer) {
        requote(state, &offer).await?;
        offer = by_token(&state.db, token).await?;
    }
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
    // A paid offer whose rule has a next offer links to it while it is open.
    let next_token = match next_token {
        None if offer.state == OfferState::Paid => {
            sqlx::query_scalar(
                "SELECT token FROM offers WHERE parent_offer_id = $1 AND state = $2 AND expires_at > $3",
            )
            .bind(&offer.id)
            .bind(OfferState::Pending.as_str())
            .bind(now_ms())
            .fetch_optional(&state.db)
            .await?
        }
        given => given,
    };
    let products = state.dodo.products().await.unwrap_or_default();
    let name = |id: &str| {
        products
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    // A selling point for an offer still open, shown to the customer: not for the merchant's
    // polling, nor on the page an accept returns (the customer has answered).
    let compared = if mark_shown && offer.state == OfferState::Pending {
        compared(state, &offer).await?
    } else {
        None
    };
    let compared = compared.map(|(with, product, amount)| PriceComparison {
        with,
        name: name(&product),
        amount,
    });
    Ok(OfferView {
        token: offer.token.clone(),
        state: offer.state,
        headline: offer.headline.clone(),
        value_prop: offer.value_prop.clone(),
        badge: offer.badge.clone(),
        product_id: offer.offer_product_id.clone(),
        product_name: name(&offer.offer_product_id),
        quantity: offer.quantity as i32,
        amount: offer.amount,
        currency: offer.currency.clone(),
        compared,
        expires_at: offer.expires_at,
        now: now_ms(),
        failure_code: offer.failure_code.clone(),
        // A withdrawn offer keeps its reason in the same column; it is not a decline.
        failure_message: offer
            .failure_code
            .as_deref()
            .filter(|c| NoOffer::parse(c).is_none())
            .map(|c| decline_reason(c).to_string()),
        fallback_url: offer.fallback_url.clone(),
        next_token,
        update_method_url: matches!(offer.state, OfferState::Failed | OfferState::Fallback)
            .then(|| offer.fallback_url.clone())
            .flatten(),
        action: offer.action,
        from_product_name: offer.from_product_id.as_deref().map(name),
        recurring_amount: offer.recurring_amount,
        interval: offer.billing_interval.clone(),
        recurring_from: offer.recurring_from,
        scheduled: offer.effective_at == Some(EffectiveAt::NextBillingDate),
        free_days: offer.free_days,
        save: offer.save,
        requoted: false,
        full_amount: offer.full_amount,
        discount_percent: offer.full_amount.map_or(0, |_| offer.discount.percent),
        discount_cycles: offer.full_amount.map_or(0, |_| offer.discount.cycles),
    })
}

/// What the offer's price is set against (`ComparedWith::for_kind`): the product just bought,
/// or for a downsell the offer declined before it, in the same currency; one read. Only an
/// offer that shows its product has a price to compare (a plan change shows what it bills).
async fn compared(
    state: &AppState,
    offer: &super::Offer,
) -> Result<Option<(ComparedWith, String, i64)>, AppError> {
    if offer.action.on_subscription() {
        return Ok(None);
    }
    let row: Option<(Option<String>, Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT r.kind, p.offer_product_id, p.amount FROM offers o \
         LEFT JOIN rules r ON r.id = o.rule_id \
         LEFT JOIN offers p ON p.id = o.parent_offer_id AND p.currency = o.currency \
         WHERE o.id = $1",
    )
    .bind(&offer.id)
    .fetch_optional(&state.db)
    .await?;
    let Some((kind, declined_product, declined_amount)) = row else {
        return Ok(None);
    };
    let with = kind
        .as_deref()
        .and_then(RuleKind::parse)
        .and_then(ComparedWith::for_kind);
    Ok(match with {
        Some(ComparedWith::Bought) => Some((
            ComparedWith::Bought,
            offer.trigger_product_id.clone(),
            offer.trigger_amount,
        )),
        Some(ComparedWith::Declined) => declined_product
            .zip(declined_amount)
            .map(|(product, amount)| (ComparedWith::Declined, product, amount)),
        None => None,
    })
}
