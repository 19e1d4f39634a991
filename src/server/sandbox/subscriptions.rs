//! Subscriptions in the sandbox (CONTRACT §9.1, §9.2): the book that holds them, their JSON
//! shapes, list and read, and starting a new one from a confirmed checkout (§16.1). Plan
//! changes live in `plan_change`, PATCH and payment-method updates in `manage`, and what time
//! does to them (renewals, scheduled changes, cancellations) in `clock`.
use super::payments::id;
use super::{catalogue, iso, not_found, ApiError, Reply, Sandbox};
use crate::server::ids::now_ms;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

pub(super) const DAY: i64 = 86_400_000;

#[derive(Clone)]
pub(super) struct Scheduled {
    pub id: String,
    pub product: &'static catalogue::Product,
    pub quantity: i64,
    pub created_at: String,
}

#[derive(Clone)]
pub struct Sub {
    pub(super) id: String,
    pub(super) customer: &'static catalogue::Customer,
    pub(super) product: &'static catalogue::Product,
    pub(super) quantity: i64,
    pub(super) status: &'static str,
    pub(super) period_start: i64,
    pub(super) period_end: i64,
    pub(super) created_at: String,
    pub(super) method: Option<&'static str>,
    /// Credit held from downgrades, used before the next charge (Dodo shows it nowhere else).
    pub(super) credit: i64,
    pub(super) scheduled: Option<Scheduled>,
    /// A change is being processed (its response may have been lost): a second one waits.
    pub(super) in_flight: bool,
    /// Ends at `period_end` instead of renewing (PATCH `cancel_at_next_billing_date`).
    pub(super) cancel_at_next: bool,
    pub(super) cancelled_at: Option<i64>,
    pub(super) metadata: Value,
    /// The discount its checkout applied, and the charges it still takes off (`None`: all).
    pub(super) discount: Option<(super::discounts::Applied, Option<i64>)>,
}

#[derive(Default)]
pub struct Book {
    pub(super) subs: Vec<Sub>,
    /// change-plan requests received, by `metadata.plan_change_id` (for tests and demos).
    pub(super) calls: HashMap<String, u32>,
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

pub const SEED: &[Seed] = &[
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

pub(super) fn period_ms(p: &catalogue::Product) -> i64 {
    if p.interval == Some("Year") {
        365 * DAY
    } else {
        30 * DAY
    }
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
                    id: sid.to_string(),
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
                    cancel_at_next: false,
                    cancelled_at: (status == "cancelled").then_some(start),
                    metadata: json!({}),
                    discount: None,
                })
            })
            .collect();
        Self {
            subs,
            calls: HashMap::new(),
        }
    }

    pub(super) fn get_mut(&mut self, sid: &str) -> Result<&mut Sub, ApiError> {
        self.subs
            .iter_mut()
            .find(|s| s.id == sid)
            .ok_or_else(|| not_found("Subscription"))
    }
}

fn customer_json(c: &catalogue::Customer) -> Value {
    json!({ "customer_id": c.id, "email": c.email, "name": c.name, "metadata": {}, "phone_number": null })
}

pub(super) fn scheduled_json(s: &Sub) -> Value {
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
        "trial_period_days": 0, "trial_amount": null, "cancel_at_next_billing_date": s.cancel_at_next,
        "cancelled_at": s.cancelled_at.map(iso),
        "paused_at": null, "on_demand": false, "payment_method_id": s.method,
        "has_payment_method": s.method.is_some(),
        "billing": { "country": "US", "state": null, "city": null, "street": null, "zipcode": "94612" },
        "metadata": s.metadata, "created_at": s.created_at, "scheduled_change": scheduled_json(s),
        "discounts": s.discount.iter().map(|(d, left)| json!({ "discount_id": d.id, "discount_cycles_remaining": left })).collect::<Vec<_>>(),
        "discount_id": s.discount.as_ref().map(|(d, _)| d.id.clone()),
        "discount_cycles_remaining": s.discount.as_ref().and_then(|(_, left)| *left),
        "tax_id": null, "customer_business_name": null
    })
}

/// `GET /subscriptions/{id}` (9.1).
pub(super) fn subscription_json(s: &Sub) -> Value {
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
    cancel_at_next_billing_date: Option<String>,
    #[serde(flatten)]
    paging: super::Paging,
}

pub async fn list(State(sb): State<Sandbox>, Query(q): Query<ListQuery>) -> Reply {
    let cancelling = super::customers::parse_bool(&q.cancel_at_next_billing_date)?;
    let book = sb.subscriptions.lock().unwrap_or_else(|e| e.into_inner());
    let all: Vec<Value> = book
        .subs
        .iter()
        .filter(|s| q.customer_id.as_deref().is_none_or(|c| s.customer.id == c))
        .filter(|s| q.status.as_deref().is_none_or(|st| s.status == st))
        .filter(|s| cancelling.is_none_or(|c| s.cancel_at_next == c))
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

/// A webhook's `data`: the object plus its `payload_type`.
pub(super) fn event_data(mut v: Value, payload_type: &str) -> Value {
    v["payload_type"] = json!(payload_type);
    v
}

impl Sandbox {
    /// A customer's subscriptions as list items (for the portal page).
    pub(super) fn subscriptions_of(&self, customer_id: &str) -> Vec<Value> {
        let book = self.subscriptions.lock().unwrap_or_else(|e| e.into_inner());
        book.subs
            .iter()
            .filter(|s| s.customer.id == customer_id)
            .map(|s| {
                let mut v = core_json(s);
                v["product_name"] = json!(s.product.name);
                v
            })
            .collect()
    }

    /// Starts a new subscription from a checkout's first charge (§16.1), next to whatever the
    /// customer already holds. `payment` is the first payment, already made with
    /// `subscription_id` = `sid`: it succeeded (the subscription is `active` from now for one
    /// period) or failed (kept as `failed`, never active). Sends `subscription.active` or
    /// `subscription.failed` after the payment's own webhook.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn start_subscription(
        &self,
        sid: &str,
        customer: &'static catalogue::Customer,
        product: &'static catalogue::Product,
        quantity: i64,
        method: Option<&'static str>,
        succeeded: bool,
        discount: Option<&super::discounts::Applied>,
    ) {
        let now = self.now_ms();
        let sub = Sub {
            id: sid.to_string(),
            customer,
            product,
            quantity,
            status: if succeeded { "active" } else { "failed" },
            period_start: now,
            period_end: now + period_ms(product),
            created_at: iso(now),
            method,
            credit: 0,
            scheduled: None,
            in_flight: false,
            cancel_at_next: false,
            cancelled_at: None,
            metadata: json!({}),
            // The first charge used one cycle.
            discount: discount.map(|d| (d.clone(), d.cycles.map(|c| c - 1))),
        };
        let data = event_data(subscription_json(&sub), "Subscription");
        self.subscriptions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .subs
            .push(sub);
        self.send_webhook(
            if succeeded {
                "subscription.active"
            } else {
                "subscription.failed"
            },
            data,
        );
    }
}

/// A fresh subscription id.
pub(super) fn new_sub_id() -> String {
    id("sub")
}
