//! Save offers: a subscriber asks to cancel (the merchant's backend posts the reason); a
//! matching save rule offers a cheaper plan at the next billing date or free time, accepted in
//! one click. A decline, or no offer, always ends in the cancellation asked for: the
//! subscription is set to end at its next billing date and the reason is kept. No second save
//! offer after a decline.
use super::accept::begin_charge;
use super::engine::{rule_match, MATCH_COLUMNS};
use super::holdout::hold_out;
use super::make::{insert_offer, NewOffer};
use super::quote::Quote;
use super::settle::{fail_charging, settle};
use super::{Offer, Tx};
use crate::domain::analytics::{assign, Variant};
use crate::domain::error::{AppError, ErrorCode, FieldError};
use crate::domain::offer_action::{pick_save, CancelReason, SaveCandidate};
use crate::domain::rule::RuleKind;
use crate::server::db::{begin_write, write};
use crate::server::ids::{new_id, now_ms};
use crate::server::state::AppState;
use serde_json::{json, Value};
use sqlx::Row;

const COMMENT_MAX: usize = 500;

/// What a cancel request led to.
pub enum CancelOutcome {
    /// A save offer at this token; the subscription is untouched until it is answered.
    Offer(String),
    /// Set to end at the next billing date (no offer, a hold-out, or asked again after a
    /// declined save offer).
    Cancelled,
}

pub(super) async fn mark_saved(tx: &mut Tx, offer_id: &str) -> Result<(), sqlx::Error> {
    set_state(tx, offer_id, "saved").await
}

async fn set_state(tx: &mut Tx, offer_id: &str, to: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cancellations SET state = $1, updated_at = $2 WHERE offer_id = $3 AND state = 'offered'")
        .bind(to)
        .bind(now_ms())
        .bind(offer_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn validate(reason: &str, comment: &str) -> Result<CancelReason, AppError> {
    let mut errs = Vec::new();
    let parsed = CancelReason::parse(reason.trim());
    if parsed.is_none() {
        errs.push(FieldError::new(
            "reason",
            "reason_invalid",
            "reason must be one of too_expensive, not_using_enough, missing_feature, switching, other.",
        ));
    }
    if comment.chars().count() > COMMENT_MAX {
        errs.push(FieldError::new(
            "comment",
            "too_long",
            format!("Keep the comment under {COMMENT_MAX} characters."),
        ));
    }
    match parsed {
        Some(r) if errs.is_empty() => Ok(r),
        _ => Err(AppError::validation(errs)),
    }
}

/// Sets the subscription to end at its next billing date. Safe to repeat.
async fn cancel_at_period_end(state: &AppState, sid: &str, reason: &str) -> Result<(), AppError> {
    state
        .dodo
        .patch_subscription(
            sid,
            &json!({ "cancel_at_next_billing_date": true, "metadata": { "cancel_reason": reason } }),
        )
        .await
        .map(|_| ())
}

/// `POST /api/v1/subscriptions/{id}/cancel`: a save offer when a rule for this plan and reason
/// matches, else the cancellation.
pub async fn request_cancel(
    state: &AppState,
    sid: &str,
    reason: &str,
    comment: &str,
) -> Result<CancelOutcome, AppError> {
    let reason = validate(reason, comment)?;
    let sub = state.dodo.subscription(sid).await?;
    let status = sub
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if status != "active" {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("This subscription is {status}; only an active subscription can be cancelled."),
        ));
    }
    let customer_id = sub
        .pointer("/customer/customer_id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let product_id = sub
        .get("product_id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let already = sub
        .get("cancel_at_next_billing_date")
        .and_then(Value::as_bool)
        == Some(true);
    // A subscriber who declined a save offer for this subscription is never asked again.
    let declined_before = sqlx::query(
        "SELECT 1 AS x FROM cancellations WHERE subscription_id = $1 AND state = 'cancelled'",
    )
    .bind(sid)
    .fetch_optional(&state.db)
    .await?
    .is_some();
    let id = new_id("cnl");
    let comment = comment.trim();
    let products = state.dodo.products().await?;
    let mut tx = begin_write(&state.db).await?;
    let mut token = None;
    if !already && !declined_before {
        let rows = sqlx::query(&format!(
            "SELECT {MATCH_COLUMNS}, r.cancel_reason FROM rules r WHERE r.enabled = 1 AND r.kind = $1 \
             AND r.trigger_product_id = $2 \
             AND NOT EXISTS (SELECT 1 FROM declines d WHERE d.customer_id = $3 AND d.rule_id = r.id)"
        ))
        .bind(RuleKind::Save.as_str())
        .bind(&product_id)
        .bind(&customer_id)
        .fetch_all(&mut *tx)
        .await?;
        let candidates: Vec<SaveCandidate> = rows
            .iter()
            .map(|r| {
                Ok(SaveCandidate {
                    rule_id: r.try_get("id")?,
                    reason: r
                        .try_get::<Option<String>, _>("cancel_reason")?
                        .as_deref()
                        .and_then(CancelReason::parse),
                    priority: r.try_get("priority")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        let picked = pick_save(&candidates, reason).and_then(|c| {
            rows.iter()
                .find(|r| r.try_get::<String, _>("id").ok().as_deref() == Some(&c.rule_id))
        });
        if let (Some(row), Some(trigger)) = (picked, products.iter().find(|p| p.id == product_id)) {
            let rule = rule_match(row)?;
            if assign(&customer_id, &rule.id, 0, rule.holdout_percent) == Variant::Holdout {
                // The hold-out is cancelled as asked: the comparison for the save rate.
                hold_out(&mut tx, &rule.id, &customer_id, &id, trigger, now_ms()).await?;
            } else {
                token = insert_offer(
                    &mut tx,
                    &rule,
                    &products,
                    NewOffer {
                        customer_id: &customer_id,
                        trigger_payment_id: Some(&id),
                        trigger,
                        billing: (None, None),
                        parent_offer_id: None,
                        subscription_id: Some(sid),
                    },
                )
                .await?;
            }
        }
    }
    let offer_id: Option<String> = match &token {
        Some(t) => sqlx::query("SELECT id FROM offers WHERE token = $1")
            .bind(t)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("id"))
            .transpose()?,
        None => None,
    };
    sqlx::query(
        "INSERT INTO cancellations (id, subscription_id, customer_id, product_id, reason, comment, offer_id, state, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(&id)
    .bind(sid)
    .bind(&customer_id)
    .bind(&product_id)
    .bind(reason.as_str())
    .bind((!comment.is_empty()).then(|| comment.chars().take(COMMENT_MAX).collect::<String>()))
    .bind(&offer_id)
    .bind(if offer_id.is_some() { "offered" } else { "cancelling" })
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    if let Some(t) = token {
        return Ok(CancelOutcome::Offer(t));
    }
    cancel_at_period_end(state, sid, reason.as_str()).await?;
    write(
        &state.db,
        sqlx::query("UPDATE cancellations SET state = 'cancelled', updated_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(&id),
    )
    .await?;
    Ok(CancelOutcome::Cancelled)
}

/// The decline of a save offer: the cancellation the subscriber asked for.
pub(super) async fn finish_cancel(state: &AppState, offer: &Offer) -> Result<(), AppError> {
    let Some(sid) = offer.subscription_id.as_deref() else {
        return Ok(());
    };
    let reason: Option<String> =
        sqlx::query("SELECT reason FROM cancellations WHERE offer_id = $1")
            .bind(&offer.id)
            .fetch_optional(&state.db)
            .await?
            .map(|r| r.try_get("reason"))
            .transpose()?;
    cancel_at_period_end(state, sid, reason.as_deref().unwrap_or("other"))
        .await
        .map_err(|_| {
            AppError::new(
                ErrorCode::Upstream,
                "We could not confirm your cancellation with the payment provider. Nothing was \
                 charged; please click “No thanks, cancel” again in a moment.",
            )
        })?;
    let mut tx = begin_write(&state.db).await?;
    sqlx::query("UPDATE cancellations SET state = 'cancelled', updated_at = $1 WHERE offer_id = $2 AND state <> 'cancelled'")
        .bind(now_ms())
        .bind(&offer.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Accepting free time: the next billing date moves to the date the customer was quoted, once.
/// The new date is absolute, so the call may be repeated safely; the compare-and-set still
/// makes one accept.
pub(super) async fn accept_free_time(
    state: &AppState,
    offer: &Offer,
    q: &Quote,
) -> Result<(), AppError> {
    let mut claimed = offer.clone();
    let (Some(sid), Some(later)) = (offer.subscription_id.as_deref(), q.recurring_from) else {
        return Err(AppError::internal());
    };
    if !begin_charge(state, &mut claimed).await? {
        return Ok(());
    }
    let iso = chrono::DateTime::from_timestamp_millis(later)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    match state
        .dodo
        .patch_subscription(sid, &json!({ "next_billing_date": iso }))
        .await
    {
        Ok(_) => {
            let mut tx = begin_write(&state.db).await?;
            let kept = q.recurring_amount.unwrap_or(0);
            // No catalogue: nothing follows a save offer (the validator refuses a next offer).
            settle(
                &mut tx,
                &offer.id,
                &json!({ "total_amount": kept }),
                true,
                &[],
            )
            .await?;
            mark_saved(&mut tx, &offer.id).await?;
            tx.commit().await.map_err(AppError::from)
        }
        Err(e) => {
            tracing::warn!(error = %e.message, "free time not applied");
            fail_charging(state, &claimed, "UPDATE_FAILED", "change_refused").await
        }
    }
}

/// A subscriber who asked to cancel and never answered the save offer is not kept by silence:
/// once the offer expires, the cancellation they asked for goes through. Cancellations whose
/// call to Dodo failed earlier are retried here too (setting cancel-at-period-end is safe to
/// repeat). Returns how many subscriptions were cancelled.
pub async fn sweep(state: &AppState) -> Result<usize, AppError> {
    let rows = sqlx::query(
        "SELECT c.id, c.subscription_id, c.reason, c.offer_id, o.token FROM cancellations c \
         LEFT JOIN offers o ON o.id = c.offer_id \
         WHERE c.state = 'cancelling' OR (c.state = 'offered' AND o.state IN ('pending', 'expired') AND o.expires_at <= $1) \
         LIMIT 100",
    )
    .bind(now_ms())
    .fetch_all(&state.db)
    .await?;
    let mut done = 0;
    for r in rows {
        let (id, sid, reason): (String, String, String) = (
            r.try_get("id")?,
            r.try_get("subscription_id")?,
            r.try_get("reason")?,
        );
        // Expires the offer first (counted as expired), so it can no longer be accepted.
        if let Some(token) = r.try_get::<Option<String>, _>("token")? {
            let mut offer = super::by_token(&state.db, &token).await?;
            super::expire_if_due(&state.db, &mut offer).await?;
            if offer.state != crate::domain::offer::OfferState::Expired {
                continue;
            }
        }
        if let Err(e) = cancel_at_period_end(state, &sid, &reason).await {
            tracing::warn!(error = %e.message, subscription_id = %sid, "cancellation not confirmed yet; retried later");
            continue;
        }
        write(
            &state.db,
            sqlx::query(
                "UPDATE cancellations SET state = 'cancelled', updated_at = $1 WHERE id = $2",
            )
            .bind(now_ms())
            .bind(&id),
        )
        .await?;
        done += 1;
    }
    Ok(done)
}

/// Runs [`sweep`] every minute for as long as the server runs.
pub fn spawn_sweeper(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = sweep(&state).await {
                tracing::warn!(error = %e.message, "cancellation sweep failed");
            }
        }
    });
}
