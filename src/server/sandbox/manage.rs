//! Managing a subscription (CONTRACT §16.2, §16.3): `PATCH /subscriptions/{id}` (cancel at the
//! next billing date, move the next billing date, cancel now, metadata) and
//! `POST /subscriptions/{id}/update-payment-method`.
use super::payments::{card_refusal, id, invalid, parse_body, payment_json, PaymentParts};
use super::plan_change::unprocessable;
use super::subscriptions::{event_data, period_ms, subscription_json, Sub};
use super::{catalogue, iso, Reply, Sandbox};
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct PatchRequest {
    #[serde(default)]
    cancel_at_next_billing_date: Option<bool>,
    #[serde(default)]
    next_billing_date: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    metadata: Option<Value>,
}

/// A validated PATCH: every check passes before anything changes.
struct Patch {
    cancel_at_next: Option<bool>,
    next_billing: Option<i64>,
    cancel_now: bool,
    metadata: Option<Value>,
}

fn inactive(s: &Sub) -> bool {
    matches!(s.status, "cancelled" | "expired" | "failed")
}

fn validate(s: &Sub, req: PatchRequest, now: i64) -> Result<Patch, super::ApiError> {
    let next_billing = match req.next_billing_date.as_deref() {
        None => None,
        Some(t) => {
            let at = chrono::DateTime::parse_from_rfc3339(t)
                .map_err(|_| invalid("next_billing_date must be an RFC 3339 date-time"))?
                .timestamp_millis();
            if at <= now {
                return Err(invalid("next_billing_date must be in the future"));
            }
            Some(at)
        }
    };
    let cancel_now = match req.status.as_deref() {
        None => false,
        Some("cancelled") => true,
        Some(other) => {
            return Err(invalid(&format!(
                "status cannot be set to {other:?}; only \"cancelled\" is accepted"
            )))
        }
    };
    if let Some(m) = &req.metadata {
        let Some(o) = m.as_object() else {
            return Err(invalid("metadata must be an object"));
        };
        if o.len() > 50 {
            return Err(unprocessable(
                "MAXIMUM_KEYS_REACHED",
                "metadata holds at most 50 keys",
            ));
        }
        if o.values()
            .any(|v| !(v.is_string() || v.is_number() || v.is_boolean()))
        {
            return Err(invalid(
                "metadata values must be strings, numbers or booleans",
            ));
        }
    }
    let changes_state =
        req.cancel_at_next_billing_date.is_some() || next_billing.is_some() || cancel_now;
    if changes_state && inactive(s) {
        return Err(unprocessable(
            "SUBSCRIPTION_INACTIVE",
            "The subscription is no longer active",
        ));
    }
    Ok(Patch {
        cancel_at_next: req.cancel_at_next_billing_date,
        next_billing,
        cancel_now,
        metadata: req.metadata,
    })
}

/// `PATCH /subscriptions/{id}` → the whole subscription; sends `subscription.updated` (and
/// `subscription.cancelled` first when `status: cancelled` ends it now).
pub async fn patch(
    State(sb): State<Sandbox>,
    Path(sid): Path<String>,
    body: axum::body::Bytes,
) -> Reply {
    let raw: Value = parse_body(&body)?;
    if !raw.is_object() {
        return Err(invalid("The request body must be a JSON object"));
    }
    let req: PatchRequest =
        serde_json::from_value(raw).map_err(|e| invalid(&format!("Invalid request body: {e}")))?;
    let now = sb.now_ms();
    let mut events = Vec::new();
    let answer = {
        let mut book = sb.subscriptions.lock().unwrap_or_else(|e| e.into_inner());
        let s = book.get_mut(&sid)?;
        let p = validate(s, req, now)?;
        sb.take_http_fault()?;
        if let Some(c) = p.cancel_at_next {
            s.cancel_at_next = c;
        }
        if let Some(at) = p.next_billing {
            s.period_end = at;
        }
        if let Some(m) = p.metadata {
            s.metadata = m;
        }
        if p.cancel_now {
            s.status = "cancelled";
            s.cancelled_at = Some(now);
            s.cancel_at_next = false;
            s.scheduled = None;
            events.push((
                "subscription.cancelled",
                event_data(subscription_json(s), "Subscription"),
            ));
        }
        let v = subscription_json(s);
        events.push((
            "subscription.updated",
            event_data(v.clone(), "Subscription"),
        ));
        v
    };
    for (kind, data) in events {
        sb.send_webhook(kind, data);
    }
    Ok(Json(answer))
}

/// `POST /subscriptions/{id}/update-payment-method`, tagged on `type`: `new` (a sandbox page
/// where the customer would enter a method; answers its link) or `existing` (one of the
/// customer's saved methods becomes the subscription's; `subscription.updated`). On a
/// subscription `on_hold`, the new method is charged for the period due at once: success makes
/// it active again from now (`payment.succeeded`, `subscription.active`), a failure keeps it
/// on hold (`payment.failed`); the answer's `payment_id` names that charge.
pub async fn update_payment_method(
    State(sb): State<Sandbox>,
    Path(sid): Path<String>,
    body: axum::body::Bytes,
) -> Reply {
    let req: Value = parse_body(&body)?;
    let mut book = sb.subscriptions.lock().unwrap_or_else(|e| e.into_inner());
    let s = book.get_mut(&sid)?;
    let kind = req.get("type").and_then(Value::as_str);
    if !matches!(kind, Some("new" | "existing")) {
        return Err(invalid("type must be new or existing"));
    }
    if inactive(s) {
        return Err(unprocessable(
            "SUBSCRIPTION_INACTIVE",
            "The subscription is no longer active",
        ));
    }
    if kind == Some("new") {
        let return_url = req
            .get("return_url")
            .and_then(Value::as_str)
            .filter(|u| reqwest::Url::parse(u).is_ok())
            .ok_or_else(|| invalid("type new needs a return_url (an absolute URL)"))?;
        let token = id("upm");
        sb.ledger.lock().unwrap_or_else(|e| e.into_inner()).links.insert(
            token.clone(),
            json!({ "kind": "update_method", "subscription_id": s.id, "return_url": return_url }),
        );
        return Ok(Json(json!({
            "payment_link": format!("{}/_sandbox/update-method/{token}", sb.base_url),
            "payment_id": null, "client_secret": null,
            "expires_on": iso(sb.now_ms() + 24 * 3_600_000)
        })));
    }
    let method = req
        .get("payment_method_id")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("type existing needs a payment_method_id"))?;
    let card = catalogue::CARDS
        .iter()
        .find(|c| c.1 == method && c.0 == s.customer.id)
        .ok_or_else(|| invalid("payment_method_id does not belong to this customer"))?;
    s.method = Some(card.1);
    let mut events = vec![(
        "subscription.updated",
        event_data(subscription_json(s), "Subscription"),
    )];
    let mut payment_id = Value::Null;
    if s.status == "on_hold" {
        let now = sb.now_ms();
        let amount = s.product.price * s.quantity;
        let used = s.credit.max(0).min(amount);
        let decline = sb
            .take_decline()
            .or_else(|| card_refusal(s.method, now).map(str::to_string));
        let payment = payment_json(PaymentParts {
            customer: s.customer,
            amount: amount - used,
            currency: s.product.currency,
            method: s.method,
            cart: None,
            subscription_id: Some(&s.id),
            session: None,
            metadata: s.metadata.clone(),
            decline: decline.as_deref(),
            at: iso(now),
        });
        sb.store_payment(&payment);
        payment_id = payment["payment_id"].clone();
        let ok = decline.is_none();
        events.push((
            if ok {
                "payment.succeeded"
            } else {
                "payment.failed"
            },
            event_data(payment, "Payment"),
        ));
        if ok {
            s.status = "active";
            s.credit -= used;
            s.period_start = now;
            s.period_end = now + period_ms(s.product);
            events.push((
                "subscription.active",
                event_data(subscription_json(s), "Subscription"),
            ));
        }
    }
    drop(book);
    for (kind, data) in events {
        sb.send_webhook(kind, data);
    }
    Ok(Json(json!({
        "payment_link": null, "payment_id": payment_id, "client_secret": null, "expires_on": null
    })))
}
