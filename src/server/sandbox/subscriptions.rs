//! Subscriptions in the sandbox (CONTRACT §9): list, read, change-plan with its preview, and
//! cancelling a scheduled change. Charges use the proration arithmetic of
//! `domain::proration`, announce themselves with the same webhooks Dodo sends
//! (`payment.*` with `subscription_id`, `subscription.plan_changed`, `subscription.on_hold`)
//! and suffer the same switchable faults as one-click charges.
use super::payments::{id, invalid, now_iso, parse_body, payment_json, PaymentParts};
use super::{catalogue, error, not_found, ApiError, Reply, Sandbox};
use crate::domain::proration::{quote, Period, PlanPrice, ProrationMode, Quote};
use crate::domain::subscription::{EffectiveAt, OnPaymentFailure};
use crate::server::ids::now_ms;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

const DAY: i64 = 86_400_000;

#[derive(Clone)]
struct Scheduled {
    id: String,
    product: &'static catalogue::Product,
    quantity: i64,
    created_at: String,
}

#[derive(Clone)]
pub struct Sub {
    id: &'static str,
    customer: &'static catalogue::Customer,
    product: &'static catalogue::Product,
    quantity: i64,
    status: &'static str,
    period_start: i64,
    period_end: i64,
    created_at: String,
    method: Option<&'static str>,
    /// Credit held from downgrades, used before the next charge (Dodo shows it nowhere else).
    credit: i64,
    scheduled: Option<Scheduled>,
    /// A change is being processed (its response may have been lost): a second one waits.
    in_flight: bool,
}

#[derive(Default)]
pub struct Book {
    subs: Vec<Sub>,
    /// change-plan requests received, by `metadata.plan_change_id` (for tests and demos).
    calls: HashMap<String, u32>,
}

/// (id, customer, product, quantity, days into the current period, status)
type Seed = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    &'static str,
);

const SEED: &[Seed] = &[
    (
        "sub_PriyaBasic0001",
        "cus_PriyaRaman0001",
        "pdt_BasicMonthly05",
        1,
        15,
        "active",
    ),
    (
        "sub_PriyaTeam0002",
        "cus_PriyaRaman0001",
        "pdt_TeamMonthly07",
        2,
        3,
        "cancelled",
    ),
    (
        "sub_JonasPro0003",
        "cus_JonasWeber0002",
        "pdt_ProMonthly06",
        1,
        10,
        "active",
    ),
    (
        "sub_AikoStudio0004",
        "cus_AikoTanaka0003",
        "pdt_StudioJp14",
        1,
        5,
        "active",
    ),
    // Expired card: an immediate charge fails.
    (
        "sub_MarcoBasic0005",
        "cus_MarcoRossi0004",
        "pdt_BasicMonthly05",
        1,
        20,
        "active",
    ),
    // Card without a mandate: cannot be charged off-session.
    (
        "sub_LeaTeam0006",
        "cus_LeaMartin0005",
        "pdt_TeamMonthly07",
        3,
        12,
        "active",
    ),
    // No saved method at all.
    (
        "sub_SamBasic0007",
        "cus_SamOkafor0006",
        "pdt_BasicMonthly05",
        1,
        3,
        "active",
    ),
];

fn period_ms(p: &catalogue::Product) -> i64 {
    if p.interval == Some("Year") {
        365 * DAY
    } else {
        30 * DAY
    }
}

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

impl Book {
    pub fn seeded() -> Self {
        let now = now_ms();
        let subs = SEED
            .iter()
            .filter_map(|&(sid, cid, pid, quantity, days_in, status)| {
                let customer = catalogue::CUSTOMERS.iter().find(|c| c.id == cid)?;
                let product = catalogue::product(pid)?;
                let start = now - days_in * DAY;
                Some(Sub {
                    id: sid,
                    customer,
                    product,
                    quantity,
                    status,
                    period_start: start,
                    period_end: start + period_ms(product),
                    created_at: iso(start - 60 * DAY),
                    method: catalogue::CARDS.iter().find(|c| c.0 == cid).map(|c| c.1),
                    credit: 0,
                    scheduled: None,
                    in_flight: false,
                })
            })
            .collect();
        Self {
            subs,
            calls: HashMap::new(),
        }
    }

    fn get_mut(&mut self, sid: &str) -> Result<&mut Sub, ApiError> {
        self.subs
            .iter_mut()
            .find(|s| s.id == sid)
            .ok_or_else(|| not_found("Subscription"))
    }
}

fn customer_json(c: &catalogue::Customer) -> Value {
    json!({ "customer_id": c.id, "email": c.email, "name": c.name, "metadata": {}, "phone_number": null })
}

fn scheduled_json(s: &Sub) -> Value {
    match &s.scheduled {
        None => Value::Null,
        Some(c) => json!({
            "id": c.id, "product_id": c.product.id, "product_name": c.product.name,
            "product_description": c.product.description, "quantity": c.quantity, "addons": [],
            "effective_at": iso(s.period_end), "created_at": c.created_at
        }),
    }
}

/// The fields a list item and the full object share (the newest SDK's required ones included).
fn core_json(s: &Sub) -> Value {
    json!({
        "subscription_id": s.id, "status": s.status, "product_id": s.product.id,
        "quantity": s.quantity, "customer": customer_json(s.customer),
        "recurring_pre_tax_amount": s.product.price * s.quantity, "tax_inclusive": false,
        "currency": s.product.currency,
        "next_billing_date": iso(s.period_end), "previous_billing_date": iso(s.period_start),
        "payment_frequency_count": 1, "payment_frequency_interval": s.product.interval.unwrap_or("Month"),
        "subscription_period_count": 10, "subscription_period_interval": "Year",
        "trial_period_days": 0, "trial_amount": null, "cancel_at_next_billing_date": false,
        "cancelled_at": (s.status == "cancelled").then(|| s.created_at.clone()),
        "paused_at": null, "on_demand": false, "payment_method_id": s.method,
        "has_payment_method": s.method.is_some(),
        "billing": { "country": "US", "state": null, "city": null, "street": null, "zipcode": "94612" },
        "metadata": {}, "created_at": s.created_at, "scheduled_change": scheduled_json(s),
        "discounts": [], "discount_id": null, "discount_cycles_remaining": null,
        "tax_id": null, "customer_business_name": null
    })
}

/// `GET /subscriptions/{id}` (9.1).
fn subscription_json(s: &Sub) -> Value {
    let mut v = core_json(s);
    let extra = json!({
        "brand_id": catalogue::BUSINESS_ID, "addons": [], "meters": [],
        "credit_entitlement_cart": [], "meter_credit_entitlement_cart": [],
        "expires_at": iso(s.period_start + 3650 * DAY), "custom_field_responses": null,
        "cancellation_comment": null, "cancellation_feedback": null
    });
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    v
}

#[derive(Deserialize)]
pub struct ListQuery {
    customer_id: Option<String>,
    status: Option<String>,
    #[serde(flatten)]
    paging: super::Paging,
}

pub async fn list(State(sb): State<Sandbox>, Query(q): Query<ListQuery>) -> Reply {
    let book = sb.subscriptions.lock().unwrap_or_else(|e| e.into_inner());
    let all: Vec<Value> = book
        .subs
        .iter()
        .filter(|s| q.customer_id.as_deref().is_none_or(|c| s.customer.id == c))
        .filter(|s| q.status.as_deref().is_none_or(|st| s.status == st))
        .map(|s| {
            let mut v = core_json(s);
            v["product_name"] = json!(s.product.name);
            v
        })
        .collect();
    Ok(Json(json!({ "items": q.paging.slice(&all)? })))
}

pub async fn get(State(sb): State<Sandbox>, Path(sid): Path<String>) -> Reply {
    let mut book = sb.subscriptions.lock().unwrap_or_else(|e| e.into_inner());
    Ok(Json(subscription_json(book.get_mut(&sid)?)))
}

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
struct Planned {
    product: &'static catalogue::Product,
    quantity: i64,
    /// `None` for `do_not_bill`.
    mode: Option<ProrationMode>,
    effective: EffectiveAt,
    on_failure: OnPaymentFailure,
    metadata: Value,
}

fn conflict(code: &'static str, message: &str) -> ApiError {
    error(StatusCode::CONFLICT, code, message)
}

fn unprocessable(code: &'static str, message: &str) -> ApiError {
    error(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

fn validate(s: &Sub, req: ChangeRequest) -> Result<Planned, ApiError> {
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
fn price(s: &Sub, p: &Planned, now: i64) -> Quote {
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
fn apply_to(s: &mut Sub, p: &Planned, q: &Quote, now: i64) {
    s.product = p.product;
    s.quantity = p.quantity;
    s.credit = q.balance_after;
    if q.resets_cycle {
        s.period_start = now;
        s.period_end = now + period_ms(p.product);
    }
}

fn preview_json(s: &Sub, p: &Planned, q: &Quote, now: i64) -> Value {
    let effective_at = match p.effective {
        EffectiveAt::Immediately => iso(now),
        EffectiveAt::NextBillingDate => iso(s.period_end),
    };
    let line_items: Vec<Value> = if q.new_plan_charge > 0 {
        vec![json!({
            "type": "subscription", "id": p.product.id, "product_id": p.product.id,
            "name": p.product.name, "description": p.product.description,
            "currency": p.product.currency, "unit_price": p.product.price, "quantity": p.quantity,
            "proration_factor": q.proration_factor, "tax_inclusive": false, "tax_rate": 0.0, "tax": 0
        })]
    } else {
        Vec::new()
    };
    let mut after = Sub {
        scheduled: None,
        in_flight: false,
        ..s.clone()
    };
    match p.effective {
        EffectiveAt::Immediately => apply_to(&mut after, p, q, now),
        EffectiveAt::NextBillingDate => {
            after.scheduled = Some(Scheduled {
                id: "preview".into(),
                product: p.product,
                quantity: p.quantity,
                created_at: iso(now),
            })
        }
    }
    let cur = p.product.currency;
    json!({
        "immediate_charge": {
            "effective_at": effective_at,
            "line_items": line_items,
            "summary": {
                "currency": cur, "total_amount": q.total_amount, "tax": 0,
                "customer_credits": q.customer_credits,
                "settlement_amount": q.total_amount, "settlement_currency": cur, "settlement_tax": 0
            }
        },
        "new_plan": subscription_json(&after)
    })
}

pub async fn preview(
    State(sb): State<Sandbox>,
    Path(sid): Path<String>,
    body: axum::body::Bytes,
) -> Reply {
    let req: ChangeRequest = parse_body(&body)?;
    let mut book = sb.subscriptions.lock().unwrap_or_else(|e| e.into_inner());
    let s = book.get_mut(&sid)?;
    let planned = validate(s, req)?;
    let now = now_ms();
    let q = price(s, &planned, now);
    Ok(Json(preview_json(s, &planned, &q, now)))
}

/// Why the subscription's saved method cannot be charged now, as a decline code.
fn refusal(s: &Sub) -> Option<&'static str> {
    use chrono::Datelike;
    let Some(card) = s
        .method
        .and_then(|m| catalogue::CARDS.iter().find(|c| c.1 == m))
    else {
        return Some("PAYMENT_METHOD_UNSUPPORTED");
    };
    let today = chrono::Utc::now();
    let exp = (
        card.5.parse::<i32>().unwrap_or(0),
        card.4.parse::<u32>().unwrap_or(0),
    );
    if exp < (today.year(), today.month()) {
        Some("EXPIRED_CARD")
    } else if !card.6 {
        Some("MANDATE_REQUIRED")
    } else {
        None
    }
}

fn event_data(mut v: Value, payload_type: &str) -> Value {
    v["payload_type"] = json!(payload_type);
    v
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
    let now = now_ms();
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
            let code = decline.or_else(|| refusal(s).map(str::to_string));
            failed = code.is_some();
            let payment = payment_json(PaymentParts {
                customer: s.customer,
                amount: charge,
                currency: p.product.currency,
                method: s.method,
                cart: None,
                subscription_id: Some(s.id),
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
                created_at: now_iso(),
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
        "server_error" => {
            release(&sb);
            return Err(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_SERVER_ERROR",
                "Sandbox fault: internal error",
            ));
        }
        "rate_limited" => {
            release(&sb);
            return Err(error(
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                "Sandbox fault: rate limited",
            ));
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
