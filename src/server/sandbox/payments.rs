//! The money side of the sandbox: checkout sessions (one-click with a saved method, or hosted),
//! payments, switchable faults, a per-offer charge counter, and signed webhooks back to the app.
use super::{catalogue, error, not_found, ApiError, Reply, Sandbox};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Html;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

/// What the next charge attempts should suffer. `remaining: None` means until switched off.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
pub struct Fault {
    /// `none`, `decline`, `timeout`, `server_error`, `rate_limited` or `slow`.
    pub mode: String,
    /// Decline code for `decline` (e.g. `INSUFFICIENT_FUNDS`).
    #[serde(default)]
    pub code: Option<String>,
    /// Delay for `slow` and `timeout`, in milliseconds.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    #[serde(default)]
    pub remaining: Option<u32>,
    /// For `drift`: how much a plan change's charge differs from its preview (minor units).
    #[serde(default)]
    pub amount: Option<i64>,
}

#[derive(Default)]
pub struct Ledger {
    payments: HashMap<String, Value>,
    sessions: HashMap<String, Value>,
    charges_by_offer: HashMap<String, u32>,
    fault: Fault,
}

pub(super) fn now_iso() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
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
/// sandbox makes: checkouts, one-click charges and plan changes.
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

pub(super) fn invalid(message: &str) -> ApiError {
    error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_REQUEST_BODY",
        message,
    )
}

impl Sandbox {
    /// Takes the current fault for one charge attempt, counting it down.
    pub(super) fn take_fault(&self) -> Fault {
        let mut l = self.ledger.lock().unwrap_or_else(|e| e.into_inner());
        let f = l.fault.clone();
        if let Some(n) = l.fault.remaining.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                l.fault = Fault::default();
            }
        }
        f
    }

    /// Sends a Standard Webhooks-signed event to the app, retrying briefly as Dodo does.
    pub fn send_webhook(&self, event_type: &str, data: Value) {
        let Some(target) = self.webhook_target.clone() else {
            return;
        };
        let body = json!({
            "business_id": catalogue::BUSINESS_ID,
            "type": event_type,
            "timestamp": now_iso(),
            "data": data,
        })
        .to_string();
        let msg_id = id("msg");
        let signer = self.signer.clone();
        let http = self.http.clone();
        tokio::spawn(async move {
            for delay in [0u64, 200, 1000, 3000] {
                tokio::time::sleep(Duration::from_millis(delay)).await;
                let ts = chrono::Utc::now().timestamp();
                let Ok(sig) = signer.sign(&msg_id, ts, body.as_bytes()) else {
                    return;
                };
                let sent = http
                    .post(&target)
                    .header("content-type", "application/json")
                    .header("webhook-id", &msg_id)
                    .header("webhook-timestamp", ts.to_string())
                    .header("webhook-signature", sig)
                    .body(body.clone())
                    .send()
                    .await;
                if sent.is_ok_and(|r| r.status().is_success()) {
                    return;
                }
            }
            tracing::warn!(webhook_id = %msg_id, "sandbox webhook not accepted after retries");
        });
    }

    /// Creates a payment (succeeded or failed), stores it and announces it by webhook.
    pub fn make_payment(
        &self,
        customer: &catalogue::Customer,
        cart: &[(String, i64)],
        method: Option<&str>,
        metadata: Value,
        session: Option<&str>,
        decline: Option<&str>,
    ) -> Value {
        let mut total = 0i64;
        let mut currency = "USD";
        for (pid, qty) in cart {
            if let Some(p) = catalogue::product(pid) {
                total += p.price * qty;
                currency = p.currency;
            }
        }
        let payment = payment_json(PaymentParts {
            customer,
            amount: total,
            currency,
            method,
            cart: Some(cart),
            subscription_id: None,
            session,
            metadata,
            decline,
            at: now_iso(),
        });
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

    fn count_charge(&self, metadata: &Value) {
        if let Some(offer) = metadata.get("offer_id").and_then(Value::as_str) {
            *self
                .ledger
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .charges_by_offer
                .entry(offer.to_string())
                .or_default() += 1;
        }
    }
}

#[derive(Deserialize)]
pub struct CartItem {
    product_id: String,
    quantity: i64,
}

#[derive(Deserialize)]
pub struct CheckoutRequest {
    product_cart: Vec<CartItem>,
    #[serde(default)]
    customer: Option<Value>,
    #[serde(default)]
    payment_method_id: Option<String>,
    #[serde(default)]
    confirm: Option<bool>,
    #[serde(default)]
    return_url: Option<String>,
    #[serde(default)]
    metadata: Option<Value>,
}

pub(super) fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| invalid(&format!("Invalid request body: {e}")))
}

fn check_cart(cart: &[CartItem]) -> Result<Vec<(String, i64)>, ApiError> {
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

/// What the current fault does to one charge attempt.
enum Outcome {
    Proceed(Option<String>),
    /// The client's deadline passes; the charge still happens afterwards, like a real charge
    /// whose response was lost.
    LostResponse(Duration),
}

/// Applies the current fault before a charge; `Err` is the HTTP answer the client gets.
async fn suffer(sb: &Sandbox) -> Result<Outcome, ApiError> {
    let f = sb.take_fault();
    let delay = Duration::from_millis(f.delay_ms.unwrap_or(5000));
    match f.mode.as_str() {
        "server_error" => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            "Sandbox fault: internal error",
        )),
        "rate_limited" => Err(error(
            StatusCode::TOO_MANY_REQUESTS,
            "TOO_MANY_REQUESTS",
            "Sandbox fault: rate limited",
        )),
        "slow" => {
            tokio::time::sleep(delay).await;
            Ok(Outcome::Proceed(None))
        }
        "timeout" => Ok(Outcome::LostResponse(delay)),
        "decline" => Ok(Outcome::Proceed(Some(
            f.code.unwrap_or_else(|| "CARD_DECLINED".into()),
        ))),
        _ => Ok(Outcome::Proceed(None)),
    }
}

pub async fn create_checkout(State(sb): State<Sandbox>, body: axum::body::Bytes) -> Reply {
    let req: CheckoutRequest = parse_body(&body)?;
    let cart = check_cart(&req.product_cart)?;
    let customer_id = req
        .customer
        .as_ref()
        .and_then(|c| c.get("customer_id"))
        .and_then(Value::as_str);
    let session_id = id("cks");
    let metadata = req.metadata.clone().unwrap_or_else(|| json!({}));
    let Some(method) = req.payment_method_id.as_deref() else {
        let url = format!("{}/_sandbox/hosted/{session_id}", sb.base_url);
        sb.ledger.lock().unwrap_or_else(|e| e.into_inner()).sessions.insert(
            session_id.clone(),
            json!({ "id": session_id, "created_at": now_iso(), "payment_id": null, "payment_status": null,
                    "customer_id": customer_id, "cart": cart, "metadata": metadata, "return_url": req.return_url }),
        );
        return Ok(Json(
            json!({ "session_id": session_id, "checkout_url": url, "payment_id": null, "client_secret": null, "publishable_key": null }),
        ));
    };
    if req.confirm != Some(true) {
        return Err(invalid("payment_method_id requires confirm: true"));
    }
    let customer_id =
        customer_id.ok_or_else(|| invalid("payment_method_id requires customer.customer_id"))?;
    let customer = catalogue::CUSTOMERS
        .iter()
        .find(|c| c.id == customer_id)
        .ok_or_else(|| not_found("Customer"))?;
    let card = catalogue::CARDS
        .iter()
        .find(|c| c.1 == method && c.0 == customer_id)
        .ok_or_else(|| invalid("payment_method_id does not belong to this customer"))?;
    // A method that cannot be charged off-session fails as the real processor would.
    let expired = card.5.parse::<i32>().unwrap_or(0) < 2026;
    let refusal = expired
        .then(|| "EXPIRED_CARD".to_string())
        .or_else(|| (!card.6).then(|| "MANDATE_REQUIRED".to_string()));
    let charge = {
        let (sb, cart, session_id, method) = (
            sb.clone(),
            cart.clone(),
            session_id.clone(),
            method.to_string(),
        );
        move |decline: Option<String>| {
            sb.count_charge(&metadata);
            let payment = sb.make_payment(
                customer,
                &cart,
                Some(&method),
                metadata,
                Some(&session_id),
                decline.as_deref(),
            );
            sb.ledger.lock().unwrap_or_else(|e| e.into_inner()).sessions.insert(
                session_id.clone(),
                json!({ "id": session_id, "created_at": now_iso(), "payment_id": payment["payment_id"], "payment_status": payment["status"] }),
            );
            payment
        }
    };
    let payment = match suffer(&sb).await? {
        Outcome::Proceed(decline) => charge(decline.or(refusal)),
        Outcome::LostResponse(delay) => {
            // Charged in the background (the handler may be cancelled when the client leaves).
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                charge(refusal);
            });
            tokio::time::sleep(delay + Duration::from_millis(500)).await;
            return Err(error(
                StatusCode::GATEWAY_TIMEOUT,
                "INTERNAL_SERVER_ERROR",
                "Sandbox fault: the response was lost",
            ));
        }
    };
    let payment_id = payment["payment_id"].clone();
    Ok(Json(json!({
        "session_id": session_id, "checkout_url": null, "payment_id": payment_id,
        "client_secret": format!("{}_secret", payment_id.as_str().unwrap_or_default()), "publishable_key": "pk_snd_sandbox"
    })))
}

pub async fn get_checkout(State(sb): State<Sandbox>, Path(sid): Path<String>) -> Reply {
    let l = sb.ledger.lock().unwrap_or_else(|e| e.into_inner());
    let s = l
        .sessions
        .get(&sid)
        .ok_or_else(|| not_found("Checkout session"))?;
    Ok(Json(
        json!({ "id": s["id"], "created_at": s["created_at"], "customer_email": null, "customer_name": null,
                    "payment_id": s["payment_id"], "payment_status": s["payment_status"] }),
    ))
}

/// `GET /payments`, newest first, by customer and creation time. Items are whole payments,
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
        decline.as_deref(),
    );
    Ok(Json(
        json!({ "payment_id": p["payment_id"], "client_secret": "sandbox_secret", "customer": p["customer"],
                    "metadata": metadata, "total_amount": p["total_amount"], "payment_link": null, "expires_on": null,
                    "product_cart": p["product_cart"], "discount_id": null }),
    ))
}

// --- Controls for tests and demos (not part of Dodo's API) ----------------------------------

pub async fn set_fault(State(sb): State<Sandbox>, Json(f): Json<Fault>) -> Reply {
    let known = [
        "none",
        "decline",
        "timeout",
        "server_error",
        "rate_limited",
        "slow",
        "drift",
    ];
    if !known.contains(&f.mode.as_str()) {
        return Err(invalid(&format!(
            "mode must be one of {}",
            known.join(", ")
        )));
    }
    sb.ledger.lock().unwrap_or_else(|e| e.into_inner()).fault = if f.mode == "none" {
        Fault::default()
    } else {
        f.clone()
    };
    Ok(Json(json!({ "fault": f })))
}

#[derive(Deserialize)]
pub struct ChargeQuery {
    offer_id: String,
}

pub async fn charges(State(sb): State<Sandbox>, Query(q): Query<ChargeQuery>) -> Reply {
    let n = sb
        .ledger
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .charges_by_offer
        .get(&q.offer_id)
        .copied()
        .unwrap_or(0);
    Ok(Json(json!({ "offer_id": q.offer_id, "charges": n })))
}

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
    let payment = sb.make_payment(customer, &cart, method, json!({}), None, None);
    Ok(Json(payment))
}

/// The hosted checkout page a fallback link leads to.
pub async fn hosted_page(
    State(sb): State<Sandbox>,
    Path(sid): Path<String>,
) -> Result<Html<String>, ApiError> {
    let l = sb.ledger.lock().unwrap_or_else(|e| e.into_inner());
    let s = l
        .sessions
        .get(&sid)
        .ok_or_else(|| not_found("Checkout session"))?;
    let product = s["cart"][0][0].as_str().and_then(catalogue::product);
    let (name, price) = product
        .map(|p| {
            (
                p.name,
                crate::domain::money::format_money(p.price, p.currency),
            )
        })
        .unwrap_or(("", String::new()));
    Ok(Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Sandbox checkout</title></head><body style=\"font-family:system-ui;max-width:480px;margin:3rem auto\">\
         <h1 data-testid=\"hosted-checkout\">Dodo Payments sandbox checkout</h1><p>{name} — <strong>{price}</strong></p>\
         <p>This is the standard hosted checkout. In live mode the customer enters or updates a payment method here.</p>\
         <p>Session <code>{sid}</code></p></body></html>"
    )))
}
