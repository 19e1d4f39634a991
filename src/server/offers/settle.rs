//! Outcomes: our charges settle by webhook (`payment.*` whose metadata names the offer) or by
//! reading Dodo back; refunds and ended subscriptions are recorded. Each outcome is a
//! compare-and-set on the state it read, so duplicates and any order end in one record.
use super::accept::fall_back;
use super::follow::follow;
use super::{by_token, event, from_row, withdraw, Offer, Tx, COLUMNS, NOT_CHARGED};
use crate::domain::analytics::EventKind;
use crate::domain::error::AppError;
use crate::domain::offer::{decline_reason, OfferState};
use crate::domain::offer_action::{NoOffer, OfferAction};
use crate::domain::rule::{ProductSummary, RuleKind};
use crate::server::db::begin_write;
use crate::server::dodo::READ_BACK_AFTER_MS;
use crate::server::ids::now_ms;
use crate::server::state::AppState;
use serde_json::Value;
use sqlx::Row;

pub async fn on_payment_failed(tx: &mut Tx, data: &Value) -> Result<(), sqlx::Error> {
    match data.pointer("/metadata/offer_id").and_then(Value::as_str) {
        Some(offer_id) => settle(tx, offer_id, data, false, &[]).await,
        None => Ok(()),
    }
}

/// Records the outcome of our charge. Out-of-order or repeated outcomes cannot undo `paid`.
/// The payment that settles an offer also makes its rule's next offer, if any (from
/// `products`, the catalogue).
pub(super) async fn settle(
    tx: &mut Tx,
    offer_id: &str,
    data: &Value,
    paid: bool,
    products: &[ProductSummary],
) -> Result<(), sqlx::Error> {
    let Some(offer) = sqlx::query(&format!("SELECT {COLUMNS} FROM offers WHERE id = $1"))
        .bind(offer_id)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(());
    };
    let offer = from_row(&offer)?;
    let payment_id = data.get("payment_id").and_then(Value::as_str);
    if paid {
        flag_extra_payment(tx, &offer, payment_id, data).await?;
    }
    // A payment through the fallback checkout is the offer converting after all.
    let via_fallback = paid && offer.state == OfferState::Fallback;
    if !offer.state.can_settle() && !via_fallback {
        return Ok(());
    }
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
    event(tx, &offer, kind, Some(amount), detail).await?;
    if paid {
        follow(tx, &offer, RuleKind::Next, products).await?;
    }
    Ok(())
}

/// A payment for an offer that is not its one charge is recorded and flagged, never dropped:
/// a second payment for an offer already paid (it should not exist: support refunds it), or
/// a payment through the fallback checkout link.
async fn flag_extra_payment(
    tx: &mut Tx,
    offer: &Offer,
    payment_id: Option<&str>,
    data: &Value,
) -> Result<(), sqlx::Error> {
    let Some(pid) = payment_id else {
        return Ok(());
    };
    let kind = if offer.state == OfferState::Paid && offer.payment_id.as_deref() != Some(pid) {
        "second_payment"
    } else if matches!(offer.state, OfferState::Fallback | OfferState::Failed)
        && offer.fallback_url.is_some()
    {
        "fallback_payment"
    } else {
        return Ok(());
    };
    let n = sqlx::query(
        "INSERT INTO offer_payment_flags (payment_id, offer_id, kind, amount, currency, at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (payment_id) DO NOTHING",
    )
    .bind(pid)
    .bind(&offer.id)
    .bind(kind)
    .bind(data.get("total_amount").and_then(Value::as_i64))
    .bind(data.get("currency").and_then(Value::as_str))
    .bind(now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 1 {
        tracing::warn!(offer_id = %offer.id, payment_id = pid, kind, "extra payment for an offer flagged");
    }
    Ok(())
}

/// The offer whose charge was this payment, if any.
async fn paid_by(tx: &mut Tx, payment_id: &str) -> Result<Option<Offer>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM offers WHERE payment_id = $1"
    ))
    .bind(payment_id)
    .fetch_optional(&mut **tx)
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// `refund.failed` for a refund recorded earlier: the money stayed with the merchant, so the
/// refund is taken back out of the analytics (once per refund).
pub async fn on_refund_failed(tx: &mut Tx, data: &Value) -> Result<(), sqlx::Error> {
    let (Some(payment_id), Some(refund_id)) = (
        data.get("payment_id").and_then(Value::as_str),
        data.get("refund_id").and_then(Value::as_str),
    ) else {
        return Ok(());
    };
    let Some(offer) = paid_by(tx, payment_id).await? else {
        return Ok(());
    };
    let kinds = sqlx::query(
        "SELECT kind, amount FROM offer_events WHERE offer_id = $1 AND detail = $2 AND kind IN ($3, $4)",
    )
    .bind(&offer.id)
    .bind(refund_id)
    .bind(EventKind::Refunded.as_str())
    .bind(EventKind::RefundFailed.as_str())
    .fetch_all(&mut **tx)
    .await?;
    let refunded = kinds.iter().find_map(|r| {
        (r.try_get::<String, _>("kind").ok()? == EventKind::Refunded.as_str())
            .then(|| r.try_get::<Option<i64>, _>("amount").ok().flatten())
            .flatten()
    });
    let undone = kinds.iter().any(|r| {
        r.try_get::<String, _>("kind").ok().as_deref() == Some(EventKind::RefundFailed.as_str())
    });
    match refunded {
        Some(amount) if !undone => {
            event(
                tx,
                &offer,
                EventKind::RefundFailed,
                Some(amount),
                Some(refund_id),
            )
            .await
        }
        _ => Ok(()),
    }
}

/// `dispute.*` for one of our charges: the offer's payment is marked with the dispute's status.
pub async fn on_dispute(tx: &mut Tx, event_type: &str, data: &Value) -> Result<(), sqlx::Error> {
    let Some(payment_id) = data.get("payment_id").and_then(Value::as_str) else {
        return Ok(());
    };
    let status = event_type.strip_prefix("dispute.").unwrap_or(event_type);
    sqlx::query("UPDATE offers SET dispute_status = $1 WHERE payment_id = $2")
        .bind(status)
        .bind(payment_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `refund.succeeded` for one of our charges: recorded for revenue (analytics subtract it).
pub async fn on_refund(tx: &mut Tx, data: &Value) -> Result<(), sqlx::Error> {
    let Some(payment_id) = data.get("payment_id").and_then(Value::as_str) else {
        return Ok(());
    };
    let Some(offer) = paid_by(tx, payment_id).await? else {
        return Ok(());
    };
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

/// A charge still `charging` is read back from Dodo (safe, repeatable reads) and settled as
/// its webhook would: by the payment id the call returned, else by the customer's payment whose
/// metadata names this offer. When the call's response was lost and, three charge timeouts
/// later, Dodo shows no such payment, it never charged: the offer fails as not charged, with
/// the standard checkout link. Nothing is ever re-sent; a payment reported later still settles.
pub(super) async fn read_back(state: &AppState, offer: &Offer) -> Result<Option<Offer>, AppError> {
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
    let products = state.dodo.products().await?;
    let mut tx = begin_write(&state.db).await?;
    settle(&mut tx, &offer.id, &payment, paid, &products).await?;
    tx.commit().await?;
    Ok(Some(by_token(&state.db, &offer.token).await?))
}

/// Fails a `charging` offer with `code` (compare-and-set, so once), then offers the standard
/// checkout link. For charges Dodo refused or, read back, never made: nothing was charged.
pub(super) async fn fail_charging(
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

/// `subscription.plan_changed`, `.updated`, `.renewed`, `.active`: the open offers on that
/// subscription were quoted against what it was (its plan, billing dates, cancellation), so
/// each is quoted again when next shown or accepted (one made pointless is then withdrawn with
/// its reason) instead of looking live until its quote ages out.
pub async fn on_subscription_changed(tx: &mut Tx, data: &Value) -> Result<(), sqlx::Error> {
    let Some(sub) = data.get("subscription_id").and_then(Value::as_str) else {
        return Ok(());
    };
    // Stale but still quoted (0, not NULL): an unchanged amount is then charged on the first
    // click, as a quote that aged out would be.
    sqlx::query(
        "UPDATE offers SET quoted_at = 0 WHERE subscription_id = $1 AND state = $2 \
         AND action <> $3 AND quoted_at IS NOT NULL",
    )
    .bind(sub)
    .bind(OfferState::Pending.as_str())
    .bind(OfferAction::OneTime.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `subscription.cancelled`, `.on_hold`, `.expired`, `.failed`: offers still open on that
/// subscription are withdrawn (an upgrade of a cancelled subscription cannot be made), each
/// counted as expired with the reason.
pub async fn on_subscription_ended(
    tx: &mut Tx,
    event_type: &str,
    data: &Value,
) -> Result<(), sqlx::Error> {
    let Some(sub) = data.get("subscription_id").and_then(Value::as_str) else {
        return Ok(());
    };
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM offers WHERE subscription_id = $1 AND state = $2"
    ))
    .bind(sub)
    .bind(OfferState::Pending.as_str())
    .fetch_all(&mut **tx)
    .await?;
    let detail = event_type.replace('.', "_");
    for r in rows {
        let offer = from_row(&r)?;
        withdraw(tx, &offer, NoOffer::NotActive, &detail).await?;
    }
    Ok(())
}
