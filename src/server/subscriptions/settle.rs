//! Settling plan changes: by webhook (`subscription.plan_changed`, `subscription.on_hold`,
//! `payment.*` naming the change) or by reading the subscription and payment back. Each
//! outcome writes only its own columns and states only move forward, so duplicates and any
//! arrival order end in the same record.
use super::store::{self, audit, Change, Tx, WEBHOOK};
use crate::domain::error::AppError;
use crate::domain::offer::decline_reason_for_staff;
use crate::domain::subscription::{ChangeState, EffectiveAt, OnPaymentFailure};
use crate::server::db::begin_write;
use crate::server::ids::now_ms;
use crate::server::state::AppState;
use serde_json::{json, Value};

/// The change a subscription payment belongs to: the one its metadata names (Dodo copies the
/// change-plan call's metadata onto the payment it makes), else the one whose call returned
/// this payment id. A payment that names neither, such as a renewal, belongs to no change,
/// even while a change of the same subscription is in flight.
async fn change_for_payment(tx: &mut Tx, data: &Value) -> Result<Option<Change>, sqlx::Error> {
    let Some(sub) = data.get("subscription_id").and_then(Value::as_str) else {
        return Ok(None);
    };
    if let Some(id) = data
        .pointer("/metadata/plan_change_id")
        .and_then(Value::as_str)
    {
        return store::get(&mut **tx, id).await;
    }
    match data.get("payment_id").and_then(Value::as_str) {
        Some(pid) => store::with_payment(tx, sub, pid).await,
        None => Ok(None),
    }
}

/// `payment.succeeded` / `payment.failed` for a plan change's charge.
pub async fn on_payment(tx: &mut Tx, data: &Value, paid: bool) -> Result<(), sqlx::Error> {
    match change_for_payment(tx, data).await? {
        Some(change) => record_payment(tx, &change, data, paid).await,
        None => Ok(()),
    }
}

/// Records a payment's outcome once: a compare-and-set on "this outcome is not recorded yet",
/// so a webhook and a read-back of the same payment (concurrent on PostgreSQL) write and audit
/// it once. A zero assumed by `applied` (no payment id) is not an outcome and is replaced.
async fn record_payment(
    tx: &mut Tx,
    change: &Change,
    payment: &Value,
    paid: bool,
) -> Result<(), sqlx::Error> {
    let id = &change.view.id;
    let payment_id = payment.get("payment_id").and_then(Value::as_str);
    let amount = payment.get("total_amount").and_then(Value::as_i64);
    let recorded = if paid {
        // A success replaces any failure recorded for an earlier attempt.
        sqlx::query(
            "UPDATE plan_changes SET charged_amount = $1, payment_id = COALESCE($2, payment_id), \
             failure_code = NULL, failure_message = NULL, updated_at = $3 WHERE id = $4 \
             AND (charged_amount IS NULL OR payment_id IS NULL OR charged_amount <> $1 OR payment_id <> $2)",
        )
        .bind(amount)
        .bind(payment_id)
        .bind(now_ms())
        .bind(id)
        .execute(&mut **tx)
        .await?
    } else {
        let code = payment
            .get("error_code")
            .and_then(Value::as_str)
            .unwrap_or("UNKNOWN_ERROR");
        sqlx::query(
            "UPDATE plan_changes SET payment_id = COALESCE($1, payment_id), failure_code = $2, \
             failure_message = $3, updated_at = $4 \
             WHERE id = $5 AND failure_code IS NULL AND (charged_amount IS NULL OR payment_id IS NULL)",
        )
        .bind(payment_id)
        .bind(code)
        .bind(decline_reason_for_staff(code))
        .bind(now_ms())
        .bind(id)
        .execute(&mut **tx)
        .await?
    }
    .rows_affected()
        == 1;
    if !recorded {
        return Ok(());
    }
    // Under prevent_change the plan stays as it was: the change failed.
    if !paid && change.view.on_payment_failure == OnPaymentFailure::PreventChange {
        store::transition(tx, id, ChangeState::Executing, ChangeState::Failed).await?;
    }
    // Dodo charged for a change given up as not made: it made it after all.
    if paid && change.view.failure_code.as_deref() == Some(NOT_MADE) {
        applied(tx, change).await?;
    }
    audit(
        tx,
        WEBHOOK,
        id,
        if paid {
            "payment_succeeded"
        } else {
            "payment_failed"
        },
        json!({ "payment_id": payment_id, "amount": amount, "currency": payment.get("currency"),
                "previewed_amount": change.view.previewed_amount }),
    )
    .await
}

/// `subscription.plan_changed` and `subscription.on_hold`.
pub async fn on_subscription(
    tx: &mut Tx,
    event_type: &str,
    data: &Value,
) -> Result<(), sqlx::Error> {
    let Some(sub) = data.get("subscription_id").and_then(Value::as_str) else {
        return Ok(());
    };
    match event_type {
        "subscription.plan_changed" => {
            let product = data.get("product_id").and_then(Value::as_str);
            let quantity = data.get("quantity").and_then(Value::as_i64);
            let targets = |c: &Change| {
                Some(c.to_product_id.as_str()) == product && Some(c.view.to_quantity) == quantity
            };
            let open = store::latest_in(
                &mut **tx,
                sub,
                &[ChangeState::Executing, ChangeState::Scheduled],
            )
            .await?;
            // A change given up as not made that Dodo made after all is applied, not lost.
            let given_up = match open {
                Some(_) => None,
                None => store::latest_in(&mut **tx, sub, &[ChangeState::Failed])
                    .await?
                    .filter(|c| c.view.failure_code.as_deref() == Some(NOT_MADE)),
            };
            if let Some(c) = open.or(given_up).filter(targets) {
                applied(tx, &c).await?;
            }
        }
        "subscription.on_hold" => {
            let change = store::latest_in(
                &mut **tx,
                sub,
                &[ChangeState::Executing, ChangeState::Applied],
            )
            .await?;
            if let Some(c) = change {
                let held = sqlx::query(
                    "UPDATE plan_changes SET on_hold = 1, updated_at = $1 WHERE id = $2 AND on_hold = 0",
                )
                .bind(now_ms())
                .bind(&c.view.id)
                .execute(&mut **tx)
                .await?
                .rows_affected();
                if held == 1 {
                    audit(tx, WEBHOOK, &c.view.id, "on_hold", json!({})).await?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

async fn applied(tx: &mut Tx, c: &Change) -> Result<(), sqlx::Error> {
    if !store::transition(tx, &c.view.id, c.view.state, ChangeState::Applied).await? {
        return Ok(());
    }
    // A change given up as not made that Dodo made after all no longer says it was not made
    // (a declined payment's failure, under `apply_change`, stays).
    sqlx::query(
        "UPDATE plan_changes SET failure_code = NULL, failure_message = NULL \
         WHERE id = $1 AND failure_code = $2",
    )
    .bind(&c.view.id)
    .bind(NOT_MADE)
    .execute(&mut **tx)
    .await?;
    // Nothing was to be charged now: unless a payment webhook says otherwise, nothing was.
    if c.view.previewed_amount == Some(0) {
        sqlx::query(
            "UPDATE plan_changes SET charged_amount = COALESCE(charged_amount, 0) \
             WHERE id = $1 AND payment_id IS NULL",
        )
        .bind(&c.view.id)
        .execute(&mut **tx)
        .await?;
    }
    audit(tx, WEBHOOK, &c.view.id, "applied", json!({})).await
}

/// The failure code of a change whose Dodo call's outcome was unknown and which Dodo, read back
/// well after the call, shows it never made.
pub const NOT_MADE: &str = "NOT_APPLIED";

/// A change still `executing` (its webhooks are late, or the call's response was lost) is
/// settled from what Dodo shows now: the subscription, and the payment when its id is known.
/// Once `Dodo::outcome_lost_after_ms` have passed since the call, a subscription still on its old plan,
/// with nothing scheduled and no payment for the change, means Dodo never made it: the change
/// fails as not made (nothing charged), so it stops blocking the next one. It is never re-sent.
pub async fn read_back(state: &AppState, change: &Change) -> Result<(), AppError> {
    if change.view.state != ChangeState::Executing {
        return Ok(());
    }
    let sub = state
        .dodo
        .subscription(&change.view.subscription_id)
        .await?;
    let payment = match change.view.payment_id.as_deref() {
        Some(pid) if change.view.charged_amount.is_none() => state.dodo.payment(pid).await.ok(),
        _ => None,
    };
    let on_new_plan = sub.get("product_id").and_then(Value::as_str)
        == Some(change.to_product_id.as_str())
        && sub.get("quantity").and_then(Value::as_i64) == Some(change.view.to_quantity);
    let scheduled = sub
        .pointer("/scheduled_change/product_id")
        .and_then(Value::as_str)
        == Some(change.to_product_id.as_str());
    let mut tx = begin_write(&state.db).await?;
    if let Some(p) = &payment {
        match p.get("status").and_then(Value::as_str) {
            Some("succeeded") => record_payment(&mut tx, change, p, true).await?,
            Some("failed") | Some("cancelled") => record_payment(&mut tx, change, p, false).await?,
            _ => {}
        }
    }
    let current = store::get(&mut *tx, &change.view.id).await?;
    if let Some(c) = current.filter(|c| c.view.state == ChangeState::Executing) {
        if c.view.effective == EffectiveAt::NextBillingDate
            && scheduled
            && store::transition(
                &mut tx,
                &c.view.id,
                ChangeState::Executing,
                ChangeState::Scheduled,
            )
            .await?
        {
            audit(
                &mut tx,
                WEBHOOK,
                &c.view.id,
                "scheduled",
                json!({ "read_back": true }),
            )
            .await?;
        } else if c.view.effective == EffectiveAt::Immediately && on_new_plan {
            applied(&mut tx, &c).await?;
        } else if !on_new_plan
            && !scheduled
            && c.view.payment_id.is_none()
            && c.view.charged_amount.is_none()
            && c.view
                .executed_at
                .is_some_and(|t| now_ms() - t > state.dodo.outcome_lost_after_ms())
            && store::transition(
                &mut tx,
                &c.view.id,
                ChangeState::Executing,
                ChangeState::Failed,
            )
            .await?
        {
            sqlx::query(
                "UPDATE plan_changes SET failure_code = $1, failure_message = $2 WHERE id = $3",
            )
            .bind(NOT_MADE)
            .bind(
                "Dodo did not make this change: the subscription is still on its old plan and \
                 nothing was charged. Preview it again to retry.",
            )
            .bind(&c.view.id)
            .execute(&mut *tx)
            .await?;
            audit(
                &mut tx,
                WEBHOOK,
                &c.view.id,
                "not_made",
                json!({ "read_back": true, "subscription_product_id": sub.get("product_id") }),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
