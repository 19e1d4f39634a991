//! One click, one charge: the compare-and-set `pending → charging` comes before any call to
//! Dodo, charging calls are never retried, and a failure offers the standard checkout (or, on
//! a subscription, updating its payment method) saying why.
use super::page::{render, requote, view, Quoted};
use super::settle::fail_charging;
use super::{by_token, event, expire_if_due, plan, save, transition, Offer};
use crate::domain::analytics::EventKind;
use crate::domain::error::AppError;
use crate::domain::offer::{eligible_method, OfferState, OfferView, SavedMethod};
use crate::domain::offer_action::{quote_holds, OfferAction};
use crate::server::db::{begin_write, write};
use crate::server::dodo::{saved_method, ChargeCall};
use crate::server::ids::now_ms;
use crate::server::state::AppState;
use serde_json::{json, Value};

pub(super) fn checkout_body(
    state: &AppState,
    offer: &Offer,
    method: Option<&str>,
    discount_code: Option<&str>,
) -> Value {
    let mut body = json!({
        "product_cart": [{ "product_id": offer.offer_product_id, "quantity": offer.quantity }],
        "customer": { "customer_id": offer.customer_id },
        "return_url": state.offer_url(&offer.token),
        "metadata": { "offer_id": offer.id, "upsell_source": "one_click" },
        "feature_flags": { "redirect_immediately": true },
    });
    if let Some(code) = discount_code {
        body["discount_codes"] = json!([code]);
    }
    if let Some(m) = method {
        body["payment_method_id"] = json!(m);
        body["confirm"] = json!(true);
        if let Some(country) = &offer.billing_country {
            body["minimal_address"] = json!(true);
            body["billing_address"] =
                json!({ "country": country, "zipcode": offer.billing_zipcode });
        }
    }
    body
}

/// Sends the customer to a standard checkout for the same product, saying why. An offer on a
/// subscription (a plan change, free time) links to updating that subscription's payment
/// method instead: a checkout there would start a second subscription.
pub(super) async fn fall_back(
    state: &AppState,
    offer: &Offer,
    to: OfferState,
    reason: &str,
) -> Result<(), AppError> {
    let return_url = state.offer_url(&offer.token);
    let url = match offer.subscription_id.as_deref() {
        Some(sub) if offer.action.on_subscription() => {
            state.dodo.update_method_link(sub, &return_url).await?
        }
        _ => {
            // The checkout honours the price the page showed.
            let code = discount_code(state, offer).await?;
            state
                .dodo
                .hosted_checkout(checkout_body(state, offer, None, code.as_deref()))
                .await?
        }
    };
    let mut tx = begin_write(&state.db).await?;
    let moved = if to == OfferState::Fallback {
        transition(&mut tx, offer, OfferState::Pending, to).await?
    } else {
        true
    };
    // The first link stands: two looks at once record one fallback.
    let linked =
        sqlx::query("UPDATE offers SET fallback_url = $1 WHERE id = $2 AND fallback_url IS NULL")
            .bind(&url)
            .bind(&offer.id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
    if moved && linked {
        event(&mut tx, offer, EventKind::Fallback, None, Some(reason)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The offer's single-use Dodo code for the discount its page shows, if any: 1 use, only for
/// the offered product, expiring half an hour after the offer (the server refuses a late
/// accept itself; the slack lets a fallback checkout opened in time be completed). Made once:
/// two accepts racing may each make one, but only the first stored is ever applied, and the
/// other expires unused.
async fn discount_code(state: &AppState, offer: &Offer) -> Result<Option<String>, AppError> {
    if !offer.discount.is_set() || offer.full_amount.is_none() {
        return Ok(None);
    }
    if let Some(code) = &offer.discount_code {
        return Ok(Some(code.clone()));
    }
    let expires = chrono::DateTime::from_timestamp_millis(offer.expires_at + 30 * 60_000)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut body = json!({
        "type": "percentage", "amount": offer.discount.basis_points(),
        "name": format!("Upsell offer {}", offer.id), "restricted_to": [offer.offer_product_id],
        "usage_limit": 1, "expires_at": expires,
    });
    if offer.action == OfferAction::NewSubscription && offer.discount.cycles > 0 {
        body["subscription_cycles"] = json!(offer.discount.cycles);
    }
    let made = state.dodo.create_discount(body).await?;
    let kept = write(
        &state.db,
        sqlx::query("UPDATE offers SET discount_code = $1 WHERE id = $2 AND discount_code IS NULL")
            .bind(&made)
            .bind(&offer.id),
    )
    .await?
    .rows_affected()
        == 1;
    if kept {
        return Ok(Some(made));
    }
    // Another accept stored its code first: that one is used.
    let stored: Option<String> =
        sqlx::query_scalar("SELECT discount_code FROM offers WHERE id = $1")
            .bind(&offer.id)
            .fetch_one(&state.db)
            .await?;
    Ok(stored.or(Some(made)))
}

/// The customer's saved method that a one-click charge in `currency` may use this month, if any.
pub async fn one_click_method(
    state: &AppState,
    customer_id: &str,
    currency: &str,
) -> Result<Option<String>, AppError> {
    let methods = state.dodo.payment_methods(customer_id).await?;
    Ok(eligible_now(&methods, currency))
}

fn eligible_now(methods: &[SavedMethod], currency: &str) -> Option<String> {
    use chrono::Datelike;
    let now = chrono::Utc::now();
    eligible_method(methods, currency, (now.year(), now.month())).map(|m| m.id.clone())
}

/// The saved method an accept would charge, as the merchant's eligibility check shows it
/// (brand, last four, expiry): the subscription's own method for an offer on a subscription,
/// else the one-click method for the offer's currency.
pub async fn charged_method(
    state: &AppState,
    customer_id: &str,
    offer: &OfferView,
) -> Result<Option<Value>, AppError> {
    // One read of the saved methods serves both the choice and the card's details.
    let methods = state.dodo.payment_methods_raw(customer_id).await?;
    let wanted = if offer.action.on_subscription() {
        let sid: Option<String> =
            sqlx::query_scalar("SELECT subscription_id FROM offers WHERE token = $1")
                .bind(&offer.token)
                .fetch_optional(&state.db)
                .await?
                .flatten();
        match sid {
            Some(sid) => state
                .dodo
                .subscription(&sid)
                .await?
                .get("payment_method_id")
                .and_then(Value::as_str)
                .map(str::to_string),
            None => None,
        }
    } else {
        let saved: Vec<SavedMethod> = methods.iter().filter_map(saved_method).collect();
        eligible_now(&saved, &offer.currency)
    };
    let Some(id) = wanted else {
        return Ok(None);
    };
    let card = methods
        .iter()
        .find(|m| m.get("payment_method_id").and_then(Value::as_str) == Some(id.as_str()))
        .and_then(|m| m.get("card"));
    let field = |k: &str| card.and_then(|c| c.get(k)).cloned().unwrap_or(Value::Null);
    Ok(Some(json!({
        "payment_method_id": id, "brand": field("card_network"), "last4": field("last4_digits"),
        "expiry_month": field("expiry_month"), "expiry_year": field("expiry_year"),
    })))
}

/// One click: exactly one charge attempt, ever, per offer. `shown` is the amount the page
/// showed (the API may leave it out: the offer's current quote is what its backend read).
pub async fn accept(
    state: &AppState,
    token: &str,
    shown: Option<i64>,
) -> Result<OfferView, AppError> {
    accept_timed(state, token, shown).await.map(|r| r.0)
}

/// `accept`, also returning the time spent waiting for Dodo (for the Server-Timing header
/// the latency benchmark reads: our own overhead is the rest).
pub async fn accept_timed(
    state: &AppState,
    token: &str,
    shown: Option<i64>,
) -> Result<(OfferView, std::time::Duration), AppError> {
    let mut dodo_time = std::time::Duration::ZERO;
    let view_timed = |v: Result<OfferView, AppError>, d| v.map(|v| (v, d));
    let mut offer = by_token(&state.db, token).await?;
    if expire_if_due(&state.db, &mut offer).await? || offer.state != OfferState::Pending {
        // Already accepted, declined, settled or expired: show where it stands, do nothing.
        return view_timed(view(state, token, None).await, dodo_time);
    }
    let t = std::time::Instant::now();
    // The amount shown is the amount charged: a quote that moved is shown again, not charged.
    let quoted = match requote(state, &offer).await {
        Ok(q) => q,
        // Another accept of this offer may have changed the subscription while this one was
        // quoting (Dodo then refuses the preview): that accept's outcome is the answer.
        Err(e) => {
            if by_token(&state.db, token).await?.state != OfferState::Pending {
                return view_timed(view(state, token, None).await, dodo_time);
            }
            return Err(e);
        }
    };
    let fresh = match quoted {
        Quoted::Same(q) => q,
        Quoted::Withdrawn => return view_timed(view(state, token, None).await, dodo_time),
        Quoted::Moved => return view_timed(moved_view(state, token).await, dodo_time),
    };
    if shown.is_some_and(|s| !quote_holds(s, fresh.amount)) {
        return view_timed(moved_view(state, token).await, dodo_time);
    }
    dodo_time += t.elapsed();
    match offer.action {
        OfferAction::PlanChange => {
            let d = plan::accept(state, &offer, &fresh).await?;
            return view_timed(render(state, token, None, true, false).await, dodo_time + d);
        }
        OfferAction::FreeTime => {
            save::accept_free_time(state, &offer, &fresh).await?;
            return view_timed(render(state, token, None, true, false).await, dodo_time);
        }
        OfferAction::OneTime | OfferAction::NewSubscription => {}
    }
    let t = std::time::Instant::now();
    let method = one_click_method(state, &offer.customer_id, &offer.currency).await?;
    dodo_time += t.elapsed();
    let Some(method) = method else {
        fall_back(state, &offer, OfferState::Fallback, "no_eligible_method").await?;
        return view_timed(view(state, token, None).await, dodo_time);
    };
    // Made before the charge begins: if Dodo cannot make it, nothing is charged and the offer
    // stays open for another click.
    let t = std::time::Instant::now();
    let code = discount_code(state, &offer).await?;
    dodo_time += t.elapsed();
    if !begin_charge(state, &mut offer).await? {
        return view_timed(view(state, token, None).await, dodo_time);
    }
    match state
        .dodo
        .charge(checkout_body(state, &offer, Some(&method), code.as_deref()))
        .await
    {
        ChargeCall::Accepted {
            session_id,
            payment_id,
        } => {
            // Bookkeeping, written after the answer: the customer does not wait behind the
            // charge's own webhooks. If it is lost with the process, the webhook or a
            // read-back (by the metadata) still finds the payment.
            let (state, offer_id) = (state.clone(), offer.id.clone());
            tokio::spawn(async move {
                let record = write(&state.db, sqlx::query("UPDATE offers SET checkout_session_id = $1, payment_id = COALESCE(payment_id, $2) WHERE id = $3")
                    .bind(session_id)
                    .bind(payment_id)
                    .bind(&offer_id)
                    )
                    .await;
                if let Err(e) = record {
                    tracing::warn!(offer_id, error = %e, "charge's payment id not recorded");
                }
            });
        }
        ChargeCall::Refused { code, .. } => {
            fail_charging(state, &offer, &code, "charge_refused").await?;
        }
        // Left `charging`: the payment webhook (metadata names this offer) settles it.
        ChargeCall::Unknown => {}
    }
    // No read-back here: the charge was made a moment ago; its webhook or a later look settles it.
    view_timed(render(state, token, None, true, false).await, dodo_time)
}

/// The guard of every action: only the call that moves `pending → charging` may call Dodo, so
/// a double click, a retry or a second instance cannot start another charge.
pub(super) async fn begin_charge(state: &AppState, offer: &mut Offer) -> Result<bool, AppError> {
    let mut tx = begin_write(&state.db).await?;
    if !transition(&mut tx, offer, OfferState::Pending, OfferState::Charging).await? {
        return Ok(false);
    }
    event(
        &mut tx,
        offer,
        EventKind::Accepted,
        Some(offer.amount),
        None,
    )
    .await?;
    tx.commit().await?;
    offer.state = OfferState::Charging;
    offer.updated_at = now_ms();
    Ok(true)
}

/// The page again, saying the amount moved and nothing was charged.
async fn moved_view(state: &AppState, token: &str) -> Result<OfferView, AppError> {
    let mut v = view(state, token, None).await?;
    v.requoted = true;
    Ok(v)
}
