//! "No thanks": one click, never that rule again for this customer; the downsell, if any,
//! next. A save offer's decline cancels, as the subscriber asked.
use super::follow::follow;
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
    let next = follow(&mut tx, &offer, RuleKind::Downsell, &products).await?;
    tx.commit().await?;
    view(state, token, next).await
}
