//! Payments (CONTRACT §8.3, §8.4): the one shape every sandbox payment has, the ledger that
//! keeps them readable and listable, the deprecated `POST /payments`, and the simulated
//! purchase control.
use super::faults::{suffer, Fault, Outcome};
use super::{catalogue, error, not_found, ApiError, Reply, Sandbox};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

#[derive(Default)]
pub struct Ledger {
    pub(super) payments: HashMap<String, Value>,
    pub(super) sessions: HashMap<String, Value>,
    pub(super) charges_by_offer: HashMap<String, u32>,
    pub(super) fault: Fault,
    /// Hosted links handed out (portal sessions, update-payment-method pages), by token.
    pub(super) links: HashMap<String, Value>,
    /// Discount codes, by id.
    pub(super) discounts: HashMap<String, super::discounts::Code>,
}

pub(super) fn id(prefix: &str) -> String {
    crate::server::ids::new_id(prefix).replace('_', "_S")
}

/// What goes into a payment; the rest of its shape is the same for every payment.
pub(super) struct PaymentParts<'a> {
    pub customer: &'a catalogue::Customer,
    pub amount: i64,
    pub currency: &'a str,
    pub method: Option<&'a str>,
    /// One-time purchases list their products; subscription charges have none.
    pub cart: Option<&'a [(String, i64)]>,
    pub subscription_id: Option<&'a str>,
    pub session: Option<&'a str>,
    pub metadata: Value,
    /// Dodo's decline code when the charge fails.
    pub decline: Option<&'a str>,
    pub at: String,
}

/// A Payment as `GET /payments/{id}` returns it (CONTRACT §8.4), for every payment the
/// sandbox makes: checkouts (hosted and one-click, first subscription charges included),
/// plan changes, renewals and charges after a payment-method update.
pub(super) fn payment_json(p: PaymentParts<'_>) -> Value {
    let card = p
        .method
        .and_then(|m| catalogue::CARDS.iter().find(|c| c.1 == m));
    let (status, message) = match p.decline {
        Some(code) => (
            "failed",
            Some(crate::domain::offer::decline_reason(code).to_string()),
        ),
        None => ("succeeded", None),
    };
    let cart = p.cart.map(|c| {
        c.iter()
            .map(|(id, q)| json!({"product_id": id, "quantity": q}))
            .collect::<Vec<_>>()
    });
    let c = p.customer;
    json!({
        "payment_id": id("pay"), "status": status, "total_amount": p.amount, "tax": 0,
        "currency": p.currency, "settlement_amount": p.amount, "settlement_currency": p.currency, "settlement_tax": 0,
        "business_id": catalogue::BUSINESS_ID, "brand_id": catalogue::BUSINESS_ID,
        "customer": { "customer_id": c.id, "email": c.email, "name": c.name, "phone_number": null, "metadata": {} },
        "billing": { "country": "US", "zipcode": "94612", "state": null, "city": null, "street": null },
        "subscription_id": p.subscription_id, "product_cart": cart,
        "checkout_session_id": p.session, "payment_link": null,
        "payment_method": "card", "payment_method_type": "credit", "payment_method_id": p.method,
        "payment_provider": "dodo",
        "card_holder_name": c.name, "card_issuing_country": "US",
        "card_last_four": card.map(|c| c.3), "card_network": card.map(|c| c.2), "card_type": "CREDIT",
        "metadata": p.metadata, "error_code": p.decline, "error_message": message,
        "invoice_id": null, "invoice_url": null,
        "digital_products_delivered": status == "succeeded" && p.cart.is_some(),
        "is_update_payment_method": false, "retry_attempt": 0, "discounts": [], "discount_id": null,
        "disputes": [], "refunds": [], "refund_status": null, "custom_field_responses": null,
        "created_at": p.at, "updated_at": p.at,
    })
}

/// Why a saved method cannot be charged off-session at `now` (sandbox time), as the decline
/// code the processor would give: unknown or missing method, expired card, no mandate.
pub(super) fn card_refusal(method: Option<&str>, now: i64) -> Option<&'static str> {
    use chrono::Datelike;
    let Some(card) = method.and_then(|m| catalogue::CARDS.iter().find(|c| c.1 == m)) else {
        return Some("PAYMENT_METHOD_UNSUPPORTED");
    };
    let today = chrono::DateTime::from_timestamp_millis(now).unwrap_or_default();
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

pub(super) fn invalid(message: &str) -> ApiError {
    error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_REQUEST_BODY",
        message,
    )
}

impl Sandbox {
    /// Charges a cart now: stores the payment and sends `payment.succeeded` or
    /// `payment.failed`. `subscription_id` is set for a subscription's first payment.
    #[allow(clippy::too_many_arguments)]
    pub fn make_payment(
        &self,
        customer: &catalogue::Customer,
        cart: &[(String, i64)],
        method: Option<&str>,
        metadata: Value,
        session: Option<&str>,
        subscription_id: Option<&str>,
        decline: Option<&str>,
        discounts: &[super::discounts::Applied],
    ) -> Value {
        let mut total = 0i64;
        let mut currency = "USD";
        for (pid, qty) in cart {
            if let Some(p) = catalogue::product(pid) {
                total += discounts
                    .iter()
                    .fold(p.price * qty, |amount, d| d.apply(pid, amount));
                currency = p.currency;
            }
        }
        let mut payment = payment_json(PaymentParts {
            customer,
            amount: total,
            currency,
            method,
            cart: Some(cart),
            subscription_id,
            session,
            metadata,
            decline,
            at: self.now_iso(),
        });
        if !discounts.is_empty() {
            payment["discounts"] = json!(discounts.iter().map(|d| &d.id).collect::<Vec<_>>());
            payment["discount_id"] = json!(discounts[0].id);
            if decline.is_none() {
                self.use_discounts(discounts);
            }
        }
        let payment_id = payment["payment_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.ledger
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .payments
            .insert(payment_id.clone(), payment.clone());
        let mut data = payment.clone();
        data["payload_type"] = json!("Payment");
        self.send_webhook(
            if decline.is_some() {
                "payment.failed"
            } else {
                "payment.succeeded"
            },
            data,
        );
        payment
    }

    /// Keeps a payment made elsewhere in the sandbox (plan changes) readable by id.
    pub(super) fn store_payment(&self, payment: &Value) {
        if let Some(pid) = payment["payment_id"].as_str() {
            self.ledger
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .payments
                .insert(pid.to_string(), payment.clone());
        }
    }
}

#[derive(Deserialize)]
pub struct CartItem {
    pub(super) product_id: String,
    pub(super) quantity: i64,
}

pub(super) fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| invalid(&format!("Invalid request body: {e}")))
}

pub(super) fn check_cart(cart: &[CartItem]) -> Result<Vec<(String, i64)>, ApiError> {
    if cart.is_empty() {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "PRODUCT_CART_EMPTY",
            "product_cart must not be empty",
        ));
    }
    cart.iter()
        .map(|i| {
            if catalogue::product(&i.product_id).is_none() {
                return Err(error(
                    StatusCode::NOT_FOUND,
                    "NOT_FOUND",
                    &format!("Product {} not found", i.product_id),
                ));
            }
            if !(1..=100).contains(&i.quantity) {
                return Err(invalid("quantity must be between 1 and 100"));
            }
            Ok((i.product_id.clone(), i.quantity))
        })
        .collect()
}

/// `GET /payments`, newest first, by customer, subscription and creation time. Items are whole payments,
/// a superset of the real list's slimmer items (metadata and status included, as there).
pub async fn list_payments(State(sb): State<Sandbox>, Query(q): Query<super::Paging>) -> Reply {
    let since = match q.created_at_gte.as_deref() {
        None => None,
        Some(t) => Some(chrono::DateTime::parse_from_rfc3339(t).map_err(|_| {
            error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "INVALID_REQUEST_PARAMETERS",
                "created_at_gte must be an RFC 3339 timestamp",
            )
        })?),
    };
    let created = |p: &Value| {
        p.get("created_at")
            .and_then(Value::as_str)
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    };
    let mut all: Vec<Value> = {
        let l = sb.ledger.lock().unwrap_or_else(|e| e.into_inner());
        l.payments
            .values()
            .filter(|p| {
                q.customer_id.as_deref().is_none_or(|c| {
                    p.pointer("/customer/customer_id").and_then(Value::as_str) == Some(c)
                })
            })
            .filter(|p| {
                q.subscription_id
                    .as_deref()
                    .is_none_or(|s| p["subscription_id"].as_str() == Some(s))
            })
            .filter(|p| since.is_none_or(|s| created(p).is_some_and(|c| c >= s)))
            .cloned()
            .collect()
    };
    all.sort_by_cached_key(|p| std::cmp::Reverse(created(p)));
    Ok(Json(json!({ "items": q.slice(&all)? })))
}

pub async fn get_payment(State(sb): State<Sandbox>, Path(pid): Path<String>) -> Reply {
    let l = sb.ledger.lock().unwrap_or_else(|e| e.into_inner());
    l.payments
        .get(&pid)
        .cloned()
        .map(Json)
        .ok_or_else(|| not_found("Payment"))
}

/// The deprecated `POST /payments`: customer nested, billing required.
pub async fn create_payment(State(sb): State<Sandbox>, body: axum::body::Bytes) -> Reply {
    let req: Value = parse_body(&body)?;
    if req.get("billing").and_then(|b| b.get("country")).is_none() {
        return Err(invalid("billing.country is required"));
    }
    let cart: Vec<CartItem> =
        serde_json::from_value(req.get("product_cart").cloned().unwrap_or(Value::Null))
            .map_err(|_| invalid("product_cart is required"))?;
    let cart = check_cart(&cart)?;
    let customer_id = req
        .pointer("/customer/customer_id")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("customer.customer_id is required"))?;
    let customer = catalogue::CUSTOMERS
        .iter()
        .find(|c| c.id == customer_id)
        .ok_or_else(|| not_found("Customer"))?;
    let method = req.get("payment_method_id").and_then(Value::as_str);
    if let Some(m) = method {
        if !catalogue::CARDS
            .iter()
            .any(|c| c.1 == m && c.0 == customer_id)
        {
            return Err(invalid(
                "payment_method_id does not belong to this customer",
            ));
        }
    }
    let decline = match suffer(&sb).await? {
        Outcome::Proceed(d) => d,
        Outcome::LostResponse(_) => {
            return Err(error(
                StatusCode::GATEWAY_TIMEOUT,
                "INTERNAL_SERVER_ERROR",
                "Sandbox fault: the response was lost",
            ))
        }
    };
    let metadata = req.get("metadata").cloned().unwrap_or_else(|| json!({}));
    sb.count_charge(&metadata);
    let p = sb.make_payment(
        customer,
        &cart,
        method,
        metadata.clone(),
        None,
        None,
        decline.as_deref(),
        &[],
    );
    Ok(Json(
        json!({ "payment_id": p["payment_id"], "client_secret": "sandbox_secret", "customer": p["customer"],
                    "metadata": metadata, "total_amount": p["total_amount"], "payment_link": null, "expires_on": null,
                    "product_cart": p["product_cart"], "discount_id": null }),
    ))
}

// --- Controls for tests and demos (not part of Dodo's API) ----------------------------------

#[derive(Deserialize)]
pub struct Purchase {
    customer_id: String,
    product_id: String,
    #[serde(default)]
    quantity: Option<i64>,
}

/// "Customer Y buys product X": a succeeded payment and its signed `payment.succeeded` webhook.
pub async fn simulate_purchase(State(sb): State<Sandbox>, body: axum::body::Bytes) -> Reply {
    let p: Purchase = parse_body(&body)?;
    let customer = catalogue::CUSTOMERS
        .iter()
        .find(|c| c.id == p.customer_id)
        .ok_or_else(|| not_found("Customer"))?;
    let cart = check_cart(&[CartItem {
        product_id: p.product_id,
        quantity: p.quantity.unwrap_or(1),
    }])?;
    let method = catalogue::CARDS
        .iter()
        .find(|c| c.0 == customer.id)
        .map(|c| c.1);
    // A purchase of a plan starts a subscription, as at Dodo (CONTRACT 16.1): its payment
    // carries `subscription_id`, next to whatever the customer already holds.
    let plan = cart
        .first()
        .and_then(|(pid, qty)| catalogue::product(pid).map(|p| (p, *qty)))
        .filter(|(p, _)| p.interval.is_some());
    let sid = plan.map(|_| super::subscriptions::new_sub_id());
    let payment = sb.make_payment(
        customer,
        &cart,
        method,
        json!({}),
        None,
        sid.as_deref(),
        None,
        &[],
    );
    if let (Some((product, quantity)), Some(sid)) = (plan, sid.as_deref()) {
        sb.start_subscription(sid, customer, product, quantity, method, true, None);
    }
    Ok(Json(payment))
}
