//! Checkout sessions (CONTRACT §8.1, §8.2): one-click with a saved method and `confirm: true`,
//! or a hosted page (see `hosted`). A cart holding a recurring product starts a **new**
//! subscription when its first charge succeeds (§16.1), whatever the customer already holds.
use super::faults::{suffer, Outcome};
use super::payments::{check_cart, id, invalid, parse_body, CartItem};
use super::subscriptions::new_sub_id;
use super::{catalogue, error, not_found, ApiError, Reply, Sandbox};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

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
    #[serde(default)]
    discount_codes: Option<Vec<String>>,
    #[serde(default)]
    discount_code: Option<String>,
}

/// The cart's subscription product and quantity, if it holds one. A subscription checkout
/// holds that one product only.
fn subscription_item(
    cart: &[(String, i64)],
) -> Result<Option<(&'static catalogue::Product, i64)>, ApiError> {
    let recurring: Vec<(&'static catalogue::Product, i64)> = cart
        .iter()
        .filter_map(|(pid, q)| catalogue::product(pid).map(|p| (p, *q)))
        .filter(|(p, _)| p.interval.is_some())
        .collect();
    match recurring.as_slice() {
        [] => Ok(None),
        [one] if cart.len() == 1 => Ok(Some(*one)),
        _ => Err(invalid(
            "A checkout with a subscription product must hold that one product only",
        )),
    }
}

/// The catalogue customer a checkout names, by `customer_id` or by `email`.
fn named_customer(customer: Option<&Value>) -> Option<&'static catalogue::Customer> {
    let c = customer?;
    if let Some(cid) = c.get("customer_id").and_then(Value::as_str) {
        return catalogue::CUSTOMERS.iter().find(|x| x.id == cid);
    }
    let email = c.get("email").and_then(Value::as_str)?;
    catalogue::CUSTOMERS
        .iter()
        .find(|x| x.email.eq_ignore_ascii_case(email))
}

impl Sandbox {
    /// Charges a checkout's cart on `method`: the payment (with `subscription_id` when the
    /// cart is a subscription), the new subscription, and the session's outcome.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn charge_checkout(
        &self,
        session_id: &str,
        customer: &'static catalogue::Customer,
        cart: &[(String, i64)],
        method: &'static str,
        metadata: Value,
        decline: Option<&str>,
        discounts: &[super::discounts::Applied],
    ) -> Value {
        self.count_charge(&metadata);
        let item = subscription_item(cart).ok().flatten();
        let sid = item.map(|_| new_sub_id());
        let payment = self.make_payment(
            customer,
            cart,
            Some(method),
            metadata,
            Some(session_id),
            sid.as_deref(),
            decline,
            discounts,
        );
        if let (Some((product, quantity)), Some(sid)) = (item, sid.as_deref()) {
            self.start_subscription(
                sid,
                customer,
                product,
                quantity,
                Some(method),
                decline.is_none(),
                discounts.first(),
            );
        }
        let mut l = self.ledger.lock().unwrap_or_else(|e| e.into_inner());
        let s = l
            .sessions
            .entry(session_id.to_string())
            .or_insert_with(|| json!({ "id": session_id, "created_at": self.now_iso() }));
        s["payment_id"] = payment["payment_id"].clone();
        s["payment_status"] = payment["status"].clone();
        s["subscription_id"] = json!(sid);
        payment
    }
}

pub async fn create_checkout(State(sb): State<Sandbox>, body: axum::body::Bytes) -> Reply {
    let req: CheckoutRequest = parse_body(&body)?;
    let cart = check_cart(&req.product_cart)?;
    subscription_item(&cart)?;
    let codes = super::discounts::requested(req.discount_codes.clone(), req.discount_code.clone())?;
    let discounts = sb.discounts_for(&codes, &cart)?;
    let customer_id = req
        .customer
        .as_ref()
        .and_then(|c| c.get("customer_id"))
        .and_then(Value::as_str);
    let session_id = id("cks");
    let metadata = req.metadata.clone().unwrap_or_else(|| json!({}));
    let Some(method) = req.payment_method_id.as_deref() else {
        let url = format!("{}/_sandbox/hosted/{session_id}", sb.base_url);
        let customer = named_customer(req.customer.as_ref()).map(|c| c.id);
        sb.ledger.lock().unwrap_or_else(|e| e.into_inner()).sessions.insert(
            session_id.clone(),
            json!({ "id": session_id, "created_at": sb.now_iso(), "payment_id": null, "payment_status": null,
                    "subscription_id": null, "customer_id": customer, "cart": cart, "metadata": metadata,
                    "return_url": req.return_url, "discount_codes": codes }),
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
    let method: &'static str = card.1;
    sb.ledger.lock().unwrap_or_else(|e| e.into_inner()).sessions.insert(
        session_id.clone(),
        json!({ "id": session_id, "created_at": sb.now_iso(), "payment_id": null, "payment_status": null,
                "subscription_id": null, "customer_id": customer.id }),
    );
    // A method that cannot be charged off-session fails as the real processor would.
    let refusal = super::payments::card_refusal(Some(method), sb.now_ms()).map(str::to_string);
    let charge = {
        let (sb, cart, session_id) = (sb.clone(), cart.clone(), session_id.clone());
        move |decline: Option<String>| {
            sb.charge_checkout(
                &session_id,
                customer,
                &cart,
                method,
                metadata,
                decline.as_deref(),
                &discounts,
            )
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

/// `GET /checkouts/{id}` (§8.2), plus `subscription_id` (an emulator extra) once the session
/// started a subscription.
pub async fn get_checkout(State(sb): State<Sandbox>, Path(sid): Path<String>) -> Reply {
    let l = sb.ledger.lock().unwrap_or_else(|e| e.into_inner());
    let s = l
        .sessions
        .get(&sid)
        .ok_or_else(|| not_found("Checkout session"))?;
    Ok(Json(
        json!({ "id": s["id"], "created_at": s["created_at"], "customer_email": null, "customer_name": null,
                "payment_id": s["payment_id"], "payment_status": s["payment_status"],
                "subscription_id": s.get("subscription_id").cloned().unwrap_or(Value::Null) }),
    ))
}
