//! Plan changes (CONTRACT §9.3): change-plan and cancelling a scheduled change. Charges use
//! the proration arithmetic of `domain::proration`, announce themselves with the same webhooks
//! Dodo sends (`payment.*` with `subscription_id`, `subscription.plan_changed`,
//! `subscription.on_hold`) and suffer the same switchable faults as one-click charges.
use super::faults::http_fault;
use super::payments::{card_refusal, id, invalid, parse_body, payment_json, PaymentParts};
use super::subscriptions::{event_data, period_ms, subscription_json, Scheduled, Sub};
use super::{catalogue, error, iso, not_found, ApiError, Reply, Sandbox};
use crate::domain::proration::{quote, Period, PlanPrice, ProrationMode, Quote};
use crate::domain::subscription::{EffectiveAt, OnPaymentFailure};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

#[derive(Deserialize)]
pub struct ChangeRequest {
    product_id: String,
    quantity: i64,
    proration_billing_mode: String,
    #[serde(default)]
    on_payment_failure: Option<String>,
    #[serde(default)]
    effective_at: Option<String>,
    #[serde(default)]
    metadata: Option<Value>,
}

/// A validated request: what the change is and what it would bill right now.
pub(super) struct Planned {
    pub(super) product: &'static catalogue::Product,
    pub(super) quantity: i64,
    /// `None` for `do_not_bill`.
    pub(super) mode: Option<ProrationMode>,
    pub(super) effective: EffectiveAt,
    pub(super) on_failure: OnPaymentFailure,
    pub(super) metadata: Value,
}

pub(super) fn conflict(code: &'static str, message: &str) -> ApiError {
    error(StatusCode::CONFLICT, code, message)
}

pub(super) fn unprocessable(code: &'static str, message: &str) -> ApiError {
    error(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

pub(super) fn validate(s: &Sub, req: ChangeRequest) -> Result<Planned, ApiError> {
    let product = catalogue::product(&req.product_id)
        .ok_or_else(|| not_found(&format!("Product {}", req.product_id)))?;
    if product.interval.is_none() {
        return Err(invalid("product_id must be a subscription product"));
    }
    if !(1..=100).contains(&req.quantity) {
        return Err(invalid("quantity must be between 1 and 100"));
    }
    let mode = match req.proration_billing_mode.as_str() {
        "do_not_bill" => None,
        m => Some(ProrationMode::parse(m).ok_or_else(|| {
            invalid("proration_billing_mode must be prorated_immediately, full_immediately, difference_immediately or do_not_bill")
        })?),
    };
    let effective = match req.effective_at.as_deref() {
        None => EffectiveAt::Immediately,
        Some(e) => EffectiveAt::parse(e)
            .ok_or_else(|| invalid("effective_at must be immediately or next_billing_date"))?,
    };
    let on_failure = match req.on_payment_failure.as_deref() {
        None => OnPaymentFailure::PreventChange,
        Some(o) => OnPaymentFailure::parse(o)
            .ok_or_else(|| invalid("on_payment_failure must be prevent_change or apply_change"))?,
    };
    if s.status != "active" {
        return Err(unprocessable(
            "INACTIVE_SUBSCRIPTION_PLAN_CHANGE_NOT_SUPPORTED",
            "Plan changes are only possible on active subscriptions",
        ));
    }
    if s.cancel_at_next {
        return Err(unprocessable(
            "PLAN_CHANGE_NOT_ALLOWED_FOR_SCHEDULED_CANCELLATION",
            "The subscription is scheduled to cancel at its next billing date",
        ));
    }
    if product.currency != s.product.currency {
        return Err(unprocessable(
            "UNSUPPORTED_CURRENCY",
            "The new plan must be priced in the subscription's currency",
        ));
    }
    if product.id == s.product.id && req.quantity == s.quantity {
        return Err(invalid(
            "The subscription is already on this plan and quantity",
        ));
    }
    Ok(Planned {
        product,
        quantity: req.quantity,
        mode,
        effective,
        on_failure,
        metadata: req.metadata.unwrap_or_else(|| json!({})),
    })
}

/// What `p` bills against `s` at `now`.
pub(super) fn price(s: &Sub, p: &Planned, now: i64) -> Quote {
    let old = PlanPrice {
        unit_price: s.product.price,
        quantity: s.quantity,
    };
    let new = PlanPrice {
        unit_price: p.product.price,
        quantity: p.quantity,
    };
    match (p.effective, p.mode) {
        (EffectiveAt::Immediately, Some(mode)) => quote(
            mode,
            old,
            new,
            Period {
                start: s.period_start,
                end: s.period_end,
                now,
            },
            s.credit,
        ),
        // Scheduled or not billed: nothing now; the new price is billed from the next renewal.
        _ => Quote {
            total_amount: 0,
            customer_credits: 0,
            proration_factor: 0.0,
            new_plan_charge: 0,
            resets_cycle: false,
            balance_after: s.credit,
        },
    }
}

/// The subscription as it will be once `p` applies with quote `q`.
pub(super) fn apply_to(s: &mut Sub, p: &Planned, q: &Quote, now: i64) {
    s.product = p.product;
    s.quantity = p.quantity;
    s.credit = q.balance_after;
    // The sandbox's codes are made with `preserve_on_plan_change: false`: a new plan drops them.
    s.discount = None;
    if q.resets_cycle {
        s.period_start = now;
        s.period_end = now + period_ms(p.product);
    }
}

/// Applies an immediate change now: charges what it bills (plus `drift`), changes the plan
/// unless the charge failed under `prevent_change`, and sends the webhooks Dodo would.
/// Returns the payment id when a charge was attempted.
fn execute_now(
    sb: &Sandbox,
    sid: &str,
    p: &Planned,
    decline: Option<String>,
    drift: i64,
) -> Option<String> {
    let now = sb.now_ms();
    let mut events: Vec<(&str, Value)> = Vec::new();
    let mut payment_id = None;
    {
        let mut book = sb.subscriptions.lock().unwrap_or_else(|e| e.into_inner());
        let Ok(s) = book.get_mut(sid) else {
            return None;
        };
        s.in_flight = false;
        let q = price(s, p, now);
        let charge = if q.total_amount > 0 {
            q.total_amount + drift
        } else {
            0
        };
        let mut failed = false;
        if charge > 0 {
            let code = decline.or_else(|| card_refusal(s.method, now).map(str::to_string));
            failed = code.is_some();
            let payment = payment_json(PaymentParts {
                customer: s.customer,
                amount: charge,
                currency: p.product.currency,
                method: s.method,
                cart: None,
                subscription_id: Some(&s.id),
                session: None,
                metadata: p.metadata.clone(),
                decline: code.as_deref(),
                at: iso(now),
            });
            let pid = payment["payment_id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            sb.store_payment(&payment);
            events.push((
                if failed {
                    "payment.failed"
                } else {
                    "payment.succeeded"
                },
                event_data(payment, "Payment"),
            ));
            payment_id = Some(pid);
        }
        if !failed || p.on_failure == OnPaymentFailure::ApplyChange {
            apply_to(s, p, &q, now);
            if failed {
                s.status = "on_hold";
            }
            events.push((
                "subscription.plan_changed",
                event_data(subscription_json(s), "Subscription"),
            ));
            if failed {
                events.push((
                    "subscription.on_hold",
                    event_data(subscription_json(s), "Subscription"),
                ));
            }
        }
    }
    for (kind, data) in events {
        sb.send_webhook(kind, data);
    }
    payment_id
}

pub async fn change_plan(
    State(sb): State<Sandbox>,
    Path(sid): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let req: ChangeRequest = parse_body(&body)?;
    let planned = {
        let mut book = sb.subscriptions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cid) = req
            .metadata
            .as_ref()
            .and_then(|m| m.get("plan_change_id"))
            .and_then(Value::as_str)
        {
            *book.calls.entry(cid.to_string()).or_default() += 1;
        }
        let s = book.get_mut(&sid)?;
        let planned = validate(s, req)?;
        if s.scheduled.is_some() || s.in_flight {
            return Err(conflict(
                "PENDING_PLAN_CHANGE_EXISTS",
                "A plan change is already pending for this subscription",
            ));
        }
        if planned.effective == EffectiveAt::NextBillingDate {
            s.scheduled = Some(Scheduled {
                id: id("spc"),
                product: planned.product,
                quantity: planned.quantity,
                created_at: sb.now_iso(),
            });
            let data = event_data(subscription_json(s), "Subscription");
            drop(book);
            sb.send_webhook("subscription.updated", data);
            return Ok(Json(json!({})).into_response());
        }
        // Held until this change is done, so a concurrent one gets the 409 above.
        s.in_flight = true;
        planned
    };
    let fault = sb.take_fault();
    let delay = Duration::from_millis(fault.delay_ms.unwrap_or(5000));
    let release = |sb: &Sandbox| {
        if let Ok(s) = sb
            .subscriptions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(&sid)
        {
            s.in_flight = false;
        }
    };
    let (decline, drift) = match fault.mode.as_str() {
        "server_error" | "rate_limited" => {
            release(&sb);
            return Err(http_fault(&fault.mode));
        }
        "slow" => {
            tokio::time::sleep(delay).await;
            (None, 0)
        }
        "timeout" => {
            // The change happens after the client gave up, like one whose response was lost.
            let (sb2, sid2) = (sb.clone(), sid.clone());
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                execute_now(&sb2, &sid2, &planned, None, 0);
            });
            tokio::time::sleep(delay + Duration::from_millis(500)).await;
            return Err(error(
                StatusCode::GATEWAY_TIMEOUT,
                "INTERNAL_SERVER_ERROR",
                "Sandbox fault: the response was lost",
            ));
        }
        "decline" => (
            Some(fault.code.unwrap_or_else(|| "CARD_DECLINED".into())),
            0,
        ),
        "drift" => (None, fault.amount.unwrap_or(100)),
        _ => (None, 0),
    };
    let payment_id = execute_now(&sb, &sid, &planned, decline, drift);
    Ok(Json(json!({
        "payment_id": payment_id, "payment_link": null, "client_secret": null, "expires_on": null
    }))
    .into_response())
}

pub async fn cancel_scheduled(
    State(sb): State<Sandbox>,
    Path(sid): Path<String>,
) -> Result<Response, ApiError> {
    let data = {
        let mut book = sb.subscriptions.lock().unwrap_or_else(|e| e.into_inner());
        let s = book.get_mut(&sid)?;
        if s.scheduled.take().is_none() {
            return Err(not_found("Scheduled plan change"));
        }
        event_data(subscription_json(s), "Subscription")
    };
    sb.send_webhook("subscription.updated", data);
    Ok(StatusCode::OK.into_response())
}

#[derive(Deserialize)]
pub struct CallsQuery {
    plan_change_id: String,
}

/// Test control: how many change-plan requests named this plan change.
pub async fn calls(State(sb): State<Sandbox>, Query(q): Query<CallsQuery>) -> Reply {
    let book = sb.subscriptions.lock().unwrap_or_else(|e| e.into_inner());
    let n = book.calls.get(&q.plan_change_id).copied().unwrap_or(0);
    Ok(Json(
        json!({ "plan_change_id": q.plan_change_id, "calls": n }),
    ))
}
