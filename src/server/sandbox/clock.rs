//! The sandbox clock (CONTRACT §16.7, emulator-only) and what time does to subscriptions
//! (§16.5). `GET /_sandbox/clock` reads the sandbox's now; `POST /_sandbox/clock/advance`
//! moves it forward, then runs every subscription whose `next_billing_date` has passed, one
//! period at a time and in date order: a scheduled cancellation ends it; otherwise a scheduled
//! change takes effect and the renewal is charged (downgrade credit first, then the card).
use super::payments::{card_refusal, invalid, parse_body, payment_json, PaymentParts};
use super::subscriptions::{event_data, period_ms, subscription_json, DAY};
use super::{iso, Reply, Sandbox};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;

/// The furthest one advance may move the clock: ten years.
const MAX_ADVANCE_MS: i64 = 3650 * DAY;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    #[serde(default)]
    days: Option<i64>,
    #[serde(default)]
    ms: Option<i64>,
}

pub async fn get_clock(State(sb): State<Sandbox>) -> Reply {
    Ok(Json(json!({
        "now": sb.now_iso(),
        "offset_ms": sb.clock_offset.load(Ordering::SeqCst)
    })))
}

pub async fn advance(State(sb): State<Sandbox>, body: axum::body::Bytes) -> Reply {
    let a: Advance = parse_body(&body)?;
    let ms = match (a.days, a.ms) {
        (Some(d), None) => d.checked_mul(DAY),
        (None, Some(m)) => Some(m),
        _ => return Err(invalid("give exactly one of days or ms")),
    };
    let ms = ms
        .filter(|m| (1..=MAX_ADVANCE_MS).contains(m))
        .ok_or_else(|| invalid("the advance must be positive and at most 3650 days"))?;
    sb.clock_offset.fetch_add(ms, Ordering::SeqCst);
    let events = sb.run_due();
    Ok(Json(json!({ "now": sb.now_iso(), "events": events })))
}

/// One thing that happened to a subscription, for the summary and its webhook.
struct Happened {
    kind: &'static str,
    at: i64,
    data: Value,
    summary: Value,
}

impl Sandbox {
    /// Runs §16.5 for every active subscription whose billing date has passed, in date order,
    /// sending the webhooks in that order. Returns the summary of what happened.
    pub(super) fn run_due(&self) -> Vec<Value> {
        let now = self.now_ms();
        let mut all = Vec::new();
        loop {
            let happened = {
                let mut book = self.subscriptions.lock().unwrap_or_else(|e| e.into_inner());
                let Some(s) = book
                    .subs
                    .iter_mut()
                    .filter(|s| s.status == "active" && s.period_end <= now)
                    .min_by_key(|s| s.period_end)
                else {
                    break;
                };
                self.bill_period(s)
            };
            for h in happened {
                self.send_webhook_at(h.kind, h.data, iso(h.at));
                all.push(h.summary);
            }
        }
        all
    }

    /// What one billing date does to `s` (which is active and due).
    fn bill_period(&self, s: &mut super::subscriptions::Sub) -> Vec<Happened> {
        let at = s.period_end;
        let mut out = Vec::new();
        let sub_event = |kind: &'static str, s: &super::subscriptions::Sub, extra: Value| {
            let mut summary = json!({ "type": kind, "subscription_id": s.id, "at": iso(at) });
            if let (Some(o), Some(e)) = (summary.as_object_mut(), extra.as_object()) {
                o.extend(e.clone());
            }
            Happened {
                kind,
                at,
                data: event_data(subscription_json(s), "Subscription"),
                summary,
            }
        };
        if s.cancel_at_next {
            s.status = "cancelled";
            s.cancelled_at = Some(at);
            s.cancel_at_next = false;
            s.scheduled = None;
            out.push(sub_event("subscription.cancelled", s, json!({})));
            return out;
        }
        if let Some(c) = s.scheduled.take() {
            s.product = c.product;
            s.quantity = c.quantity;
            out.push(sub_event(
                "subscription.plan_changed",
                s,
                json!({ "product_id": c.product.id, "quantity": c.quantity }),
            ));
        }
        let mut amount = s.product.price * s.quantity;
        // A discount with cycles left takes its share of this renewal too.
        if let Some((d, left)) = s.discount.as_mut() {
            if left.is_none_or(|n| n > 0) {
                amount = d.apply(s.product.id, amount);
                *left = left.map(|n| n - 1);
            }
        }
        let used = s.credit.max(0).min(amount);
        let charge = amount - used;
        let mut failed = false;
        let mut payment_id = Value::Null;
        if charge > 0 {
            let decline = self
                .take_decline()
                .or_else(|| card_refusal(s.method, at).map(str::to_string));
            failed = decline.is_some();
            let payment = payment_json(PaymentParts {
                customer: s.customer,
                amount: charge,
                currency: s.product.currency,
                method: s.method,
                cart: None,
                subscription_id: Some(&s.id),
                session: None,
                metadata: s.metadata.clone(),
                decline: decline.as_deref(),
                at: iso(at),
            });
            self.store_payment(&payment);
            payment_id = payment["payment_id"].clone();
            let kind = if failed {
                "payment.failed"
            } else {
                "payment.succeeded"
            };
            out.push(Happened {
                kind,
                at,
                summary: json!({
                    "type": kind, "subscription_id": s.id, "at": iso(at),
                    "payment_id": payment_id, "amount": charge, "currency": s.product.currency,
                    "error_code": payment["error_code"]
                }),
                data: event_data(payment, "Payment"),
            });
        }
        if failed {
            // The credit stays for the next attempt; the dates do not move.
            s.status = "on_hold";
            out.push(sub_event("subscription.on_hold", s, json!({})));
        } else {
            s.credit -= used;
            s.period_start = at;
            s.period_end = at + period_ms(s.product);
            out.push(sub_event(
                "subscription.renewed",
                s,
                json!({ "payment_id": payment_id, "amount": charge, "credit_used": used }),
            ));
        }
        out
    }
}
