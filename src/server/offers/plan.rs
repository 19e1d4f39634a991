//! Offers to subscribers: what they hold, the change-plan quote ("$50.00 today, then $80.00 /
//! month"), and the accept, made through the same exactly-once machinery as the support
//! console: one `plan_changes` row in flight per subscription (a unique index), the
//! compare-and-set before the call, no SDK retries, settled by `subscription.plan_changed` /
//! `payment.*` (metadata names the offer and the change) or by reading Dodo back.
use super::quote::Quote;
use super::settle::{fail_charging, settle};
use super::{event, save, Offer};
use crate::domain::analytics::EventKind;
use crate::domain::error::{AppError, ErrorCode};
use crate::domain::offer::OfferState;
use crate::domain::offer_action::{effective_for, Held, NoOffer, OfferAction};
use crate::domain::proration::ProrationMode;
use crate::domain::rule::ProductSummary;
use crate::domain::subscription::{ChangeState, EffectiveAt, OnPaymentFailure};
use crate::server::db::{begin_write, is_unique_violation, write, WriteTx};
use crate::server::ids::{new_id, now_ms};
use crate::server::state::AppState;
use crate::server::subscriptions::{ms, PlanCall};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const DAY_MS: i64 = 86_400_000;

fn held_from(v: &Value) -> Option<Held> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Some(Held {
        id: text("subscription_id")?,
        product_id: text("product_id")?,
        quantity: v.get("quantity").and_then(Value::as_i64).unwrap_or(1),
        currency: text("currency")?,
        active: v.get("status").and_then(Value::as_str) == Some("active"),
        cancelling: v
            .get("cancel_at_next_billing_date")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

/// The customer's subscriptions, as Dodo lists them now.
pub(super) async fn held(state: &AppState, customer_id: &str) -> Result<Vec<Held>, AppError> {
    Ok(state
        .dodo
        .subscriptions_of(customer_id)
        .await?
        .iter()
        .filter_map(held_from)
        .collect())
}

fn body(offer: &Offer, effective: EffectiveAt) -> Value {
    json!({
        "product_id": offer.offer_product_id,
        "quantity": offer.quantity,
        "proration_billing_mode": offer.proration_mode.unwrap_or(ProrationMode::DifferenceImmediately).as_str(),
        "effective_at": effective.as_str(),
        "on_payment_failure": offer.on_payment_failure.unwrap_or(OnPaymentFailure::PreventChange).as_str(),
    })
}

/// The change-plan preview of moving subscription `sid` to the offered plan: charged now, and
/// the new recurring price from the date the preview's new plan next bills.
pub(super) async fn quote(
    state: &AppState,
    offer: &Offer,
    sid: &str,
    offered: &ProductSummary,
) -> Result<Quote, AppError> {
    let sub = state.dodo.subscription(sid).await?;
    let current = sub
        .get("recurring_pre_tax_amount")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let new_recurring = offered.price.saturating_mul(offer.quantity);
    let effective = offer
        .effective_at
        .unwrap_or_else(|| effective_for(current, new_recurring));
    let preview = state
        .dodo
        .preview_plan_change(sid, &body(offer, effective))
        .await?;
    let amount = preview
        .pointer("/immediate_charge/summary/total_amount")
        .and_then(Value::as_i64)
        .ok_or_else(AppError::internal)?;
    let from = match ms(preview.pointer("/new_plan/next_billing_date")) {
        0 => ms(sub.get("next_billing_date")),
        t => t,
    };
    Ok(Quote {
        full_amount: None,
        action: OfferAction::PlanChange,
        amount,
        subscription_id: Some(sid.to_string()),
        from_product_id: sub
            .get("product_id")
            .and_then(Value::as_str)
            .map(str::to_string),
        from_amount: Some(current),
        from_quantity: sub.get("quantity").and_then(Value::as_i64),
        recurring_amount: Some(new_recurring),
        recurring_from: Some(from),
        effective_at: Some(effective),
    })
}

/// Free time: nothing charged; the plan's price resumes `free_days` after the current date.
pub(super) async fn quote_free_time(
    state: &AppState,
    offer: &Offer,
) -> Result<Result<Quote, NoOffer>, AppError> {
    let Some(sid) = offer.subscription_id.as_deref() else {
        return Ok(Err(NoOffer::NotActive));
    };
    let sub = state.dodo.subscription(sid).await?;
    match held_from(&sub) {
        Some(h) if h.active => {}
        _ => return Ok(Err(NoOffer::NotActive)),
    }
    let next = ms(sub.get("next_billing_date"));
    Ok(Ok(Quote {
        full_amount: None,
        action: OfferAction::FreeTime,
        amount: 0,
        subscription_id: Some(sid.to_string()),
        from_product_id: sub
            .get("product_id")
            .and_then(Value::as_str)
            .map(str::to_string),
        from_amount: sub.get("recurring_pre_tax_amount").and_then(Value::as_i64),
        from_quantity: sub.get("quantity").and_then(Value::as_i64),
        recurring_amount: sub.get("recurring_pre_tax_amount").and_then(Value::as_i64),
        recurring_from: Some(next + offer.free_days.unwrap_or(0) * DAY_MS),
        effective_at: None,
    }))
}

/// Claims the offer (`pending → charging`) and the subscription (one change in flight) in one
/// transaction; false when another accept got there first.
async fn claim(
    state: &AppState,
    offer: &Offer,
    q: &Quote,
    change_id: &str,
    products: &[ProductSummary],
) -> Result<bool, AppError> {
    let sid = q.subscription_id.as_deref().unwrap_or_default();
    // Names as the console's history shows them.
    let name = |id: &str| {
        products
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| id.to_string(), |p| p.name.clone())
    };
    let from_id = q.from_product_id.clone().unwrap_or_default();
    let (from_name, to_name) = (name(&from_id), name(&offer.offer_product_id));
    let mut tx = begin_write(&state.db).await?;
    // The compare-and-set `pending → charging`, naming the change in the same statement.
    let claimed = sqlx::query(
        "UPDATE offers SET state = $1, updated_at = $2, plan_change_id = $3 WHERE id = $4 AND state = $5",
    )
    .bind(OfferState::Charging.as_str())
    .bind(now_ms())
    .bind(change_id)
    .bind(&offer.id)
    .bind(OfferState::Pending.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !claimed {
        return Ok(false);
    }
    event(&mut tx, offer, EventKind::Accepted, Some(q.amount), None).await?;
    let effective = q.effective_at.unwrap_or(EffectiveAt::Immediately);
    let mode = offer
        .proration_mode
        .unwrap_or(ProrationMode::DifferenceImmediately);
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO plan_changes (id, subscription_id, customer_id, from_product_id, from_product_name, from_quantity, \
         from_amount, to_product_id, to_product_name, to_quantity, to_amount, currency, effective_at, on_payment_failure, \
         quotes, mode, previewed_amount, previewed_credit, state, reason_note, requested_by_id, requested_by, executed_by, \
         on_hold, created_at, updated_at, executed_at) VALUES ($1, $2, $3, $4, $17, $20, $18, $5, $19, $6, $7, $8, $9, $10, '[]', \
         $11, $12, 0, $13, $14, 'customer', $15, $15, 0, $16, $16, $16)",
    )
    .bind(change_id)
    .bind(sid)
    .bind(&offer.customer_id)
    .bind(&from_id)
    .bind(&offer.offer_product_id)
    .bind(offer.quantity)
    .bind(q.recurring_amount.unwrap_or(0))
    .bind(&offer.currency)
    .bind(effective.as_str())
    .bind(offer.on_payment_failure.unwrap_or(OnPaymentFailure::PreventChange).as_str())
    .bind(mode.as_str())
    .bind(q.amount)
    .bind(ChangeState::Executing.as_str())
    .bind(format!("offer {}", offer.id))
    .bind(format!("customer {} (offer)", offer.customer_id))
    .bind(now)
    .bind(&from_name)
    .bind(q.from_amount.unwrap_or(0))
    .bind(&to_name)
    .bind(q.from_quantity.unwrap_or(1))
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "Another change of this subscription is in progress. Nothing was charged; try again in a minute.",
            ))
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(true)
}

/// One click on a plan change: at most one change-plan call, ever, for this offer. Returns the
/// time spent waiting for Dodo.
pub(super) async fn accept(
    state: &AppState,
    offer: &Offer,
    q: &Quote,
) -> Result<Duration, AppError> {
    let change_id = new_id("pch");
    let t = Instant::now();
    // Read before the write lock (usually from the catalogue cache).
    let products = state.dodo.products().await?;
    let mut waited = t.elapsed();
    if !claim(state, offer, q, &change_id, &products).await? {
        return Ok(waited);
    }
    let sid = q.subscription_id.as_deref().unwrap_or_default();
    let mut call = body(offer, q.effective_at.unwrap_or(EffectiveAt::Immediately));
    call["metadata"] = json!({ "offer_id": offer.id, "plan_change_id": change_id });
    let t = Instant::now();
    let outcome = state.dodo.change_plan(sid, &call).await;
    waited += t.elapsed();
    match outcome {
        PlanCall::Accepted { payment_id } => {
            let scheduled = q.effective_at == Some(EffectiveAt::NextBillingDate);
            if q.amount > 0 && !scheduled {
                // The charge's webhook settles the offer; the payment id the call answered is
                // bookkeeping, written after the answer so the customer does not wait behind
                // the webhooks this very call set off. If it is lost with the process, the
                // webhook or a read-back (by the metadata) still finds the payment.
                let (state, offer_id) = (state.clone(), offer.id.clone());
                tokio::spawn(async move {
                    let record = async {
                        let mut tx = begin_write(&state.db).await?;
                        record_call(&mut tx, &offer_id, &change_id, payment_id.as_deref(), false)
                            .await?;
                        tx.commit().await
                    };
                    if let Err(e) = record.await {
                        tracing::warn!(offer_id, error = %e, "plan change's payment id not recorded");
                    }
                });
                return Ok(waited);
            }
            let mut tx = begin_write(&state.db).await?;
            record_call(
                &mut tx,
                &offer.id,
                &change_id,
                payment_id.as_deref(),
                scheduled,
            )
            .await?;
            // Nothing to charge: Dodo taking the change is the outcome. A save offer counts
            // the recurring revenue it kept.
            if q.amount == 0 {
                let kept = if offer.save {
                    q.recurring_amount.unwrap_or(0)
                } else {
                    0
                };
                settle(
                    &mut tx,
                    &offer.id,
                    &json!({ "total_amount": kept }),
                    true,
                    &products,
                )
                .await?;
                save::mark_saved(&mut tx, &offer.id).await?;
            }
            tx.commit().await?;
        }
        PlanCall::Refused { status, code, .. } => {
            write(&state.db, sqlx::query("UPDATE plan_changes SET state = $1, failure_code = $2 WHERE id = $3 AND state = $4")
                .bind(ChangeState::Failed.as_str())
                .bind(&code)
                .bind(&change_id)
                .bind(ChangeState::Executing.as_str())
                )
                .await?;
            let code = if status == 409 {
                "PLAN_CHANGE_PENDING"
            } else {
                code.as_str()
            };
            fail_charging(state, offer, code, "change_refused").await?;
        }
        // Left `charging`: the payment webhook or a read-back settles it. Never re-sent.
        PlanCall::Unknown => {}
    }
    Ok(waited)
}

/// What the change-plan call answered: its payment (if any), and a change at the next billing
/// date now scheduled.
async fn record_call(
    tx: &mut WriteTx,
    offer_id: &str,
    change_id: &str,
    payment_id: Option<&str>,
    scheduled: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE offers SET payment_id = COALESCE(payment_id, $1) WHERE id = $2")
        .bind(payment_id)
        .bind(offer_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE plan_changes SET payment_id = COALESCE(payment_id, $1) WHERE id = $2")
        .bind(payment_id)
        .bind(change_id)
        .execute(&mut **tx)
        .await?;
    if scheduled {
        sqlx::query("UPDATE plan_changes SET state = $1 WHERE id = $2 AND state = $3")
            .bind(ChangeState::Scheduled.as_str())
            .bind(change_id)
            .bind(ChangeState::Executing.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
