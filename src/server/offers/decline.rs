//! "No thanks": one click, never that rule again for this customer; the downsell, if any,
//! next. A save offer's decline cancels, as the subscriber asked.
use super::engine::{rule_match, MATCH_COLUMNS};
use super::make::{insert_offer, NewOffer};
use super::page::view;
use super::{by_token, event, expire_if_due, save, transition};
use crate::domain::analytics::EventKind;
use crate::domain::error::AppError;
use crate::domain::offer::{OfferState, OfferView};
use crate::domain::rule::RuleKind;
use crate::server::db::begin_write;
use crate::server::ids::now_ms;
use crate::server::state::AppState;

/// One click "No thanks": never this rule again for this customer; the downsell, if any, next.
/// A save offer's decline ends in the cancellation the subscriber asked for, and no other save
/// offer follows.
pub async fn decline(state: &AppState, token: &str) -> Result<OfferView, AppError> {
    let mut offer = by_token(&state.db, token).await?;
    if expire_if_due(&state.db, &mut offer).await? || offer.state != OfferState::Pending {
        // A declined save offer whose cancellation did not go through yet: try it again
        // (setting cancel-at-period-end twice is harmless, unlike a charge).
        if offer.save && offer.state == OfferState::Declined {
            save::finish_cancel(state, &offer).await?;
        }
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
    if offer.save {
        tx.commit().await?;
        save::finish_cancel(state, &offer).await?;
        return view(state, token, None).await;
    }
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
                subscription_id: offer.subscription_id.as_deref(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    view(state, token, next).await
}
