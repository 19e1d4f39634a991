//! Pages the sandbox hosts for customers' browsers (no API key; the unguessable id is the
//! key): the hosted checkout with its pay button, and the update-payment-method page (§16.3).
use super::payments::card_refusal;
use super::{catalogue, error, not_found, ApiError, Sandbox};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::Value;

fn page(title: &str, testid: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body style=\"font-family:system-ui;max-width:480px;margin:3rem auto\">\
         <h1 data-testid=\"{testid}\">{title}</h1>{body}</body></html>"
    ))
}

/// The hosted checkout page a checkout link leads to.
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
    let action = if s["payment_id"].is_null() {
        format!(
            "<form method=\"post\" action=\"{}/_sandbox/hosted/{sid}/pay\"><button type=\"submit\" data-testid=\"hosted-pay\">Pay {price}</button></form>",
            sb.base_url
        )
    } else {
        format!(
            "<p data-testid=\"hosted-status\">Payment {}</p>",
            s["payment_status"].as_str().unwrap_or_default()
        )
    };
    Ok(page(
        "Dodo Payments sandbox checkout",
        "hosted-checkout",
        &format!(
            "<p>{name} — <strong>{price}</strong></p>\
             <p>This is the standard hosted checkout. In live mode the customer enters or updates a payment method here.</p>\
             <p>Session <code>{sid}</code></p>{action}"
        ),
    ))
}

/// The buyer pays on the hosted page with their saved card (the sandbox's stand-in for a card
/// typed in). A subscription cart starts a subscription. Redirects to `return_url` with
/// `subscription_id` (subscriptions) or `payment_id` (one-time), `status` and `email`.
pub async fn hosted_pay(
    State(sb): State<Sandbox>,
    Path(sid): Path<String>,
) -> Result<Response, ApiError> {
    let session: Value = sb
        .ledger
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .sessions
        .get(&sid)
        .cloned()
        .ok_or_else(|| not_found("Checkout session"))?;
    if !session["payment_id"].is_null() {
        return Err(error(
            StatusCode::CONFLICT,
            "CHECKOUT_SESSION_CONSUMED",
            "This checkout session has already been paid",
        ));
    }
    let customer = session["customer_id"]
        .as_str()
        .and_then(|c| catalogue::CUSTOMERS.iter().find(|x| x.id == c))
        .ok_or_else(|| {
            error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "INVALID_REQUEST_BODY",
                "The sandbox's hosted checkout needs a known customer",
            )
        })?;
    let method = catalogue::CARDS
        .iter()
        .find(|c| c.0 == customer.id)
        .map(|c| c.1)
        .ok_or_else(|| {
            error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "NO_ELIGIBLE_PAYMENT_METHODS",
                "The customer has no card the sandbox can use",
            )
        })?;
    let cart: Vec<(String, i64)> =
        serde_json::from_value(session["cart"].clone()).unwrap_or_default();
    // The buyer is present: only an expired card (or a decline fault) fails here.
    let decline = sb.take_decline().or_else(|| {
        card_refusal(Some(method), sb.now_ms())
            .filter(|c| *c == "EXPIRED_CARD")
            .map(str::to_string)
    });
    // The codes are checked again: one may have expired or been used since the page opened.
    let codes: Vec<String> =
        serde_json::from_value(session["discount_codes"].clone()).unwrap_or_default();
    let discounts = sb.discounts_for(&codes, &cart)?;
    let payment = sb.charge_checkout(
        &sid,
        customer,
        &cart,
        method,
        session["metadata"].clone(),
        decline.as_deref(),
        &discounts,
    );
    let status = payment["status"].as_str().unwrap_or_default().to_string();
    let sub_id = payment["subscription_id"].as_str().map(str::to_string);
    let pay_id = payment["payment_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let target = session["return_url"]
        .as_str()
        .and_then(|u| reqwest::Url::parse(u).ok());
    match target {
        Some(mut url) => {
            {
                let mut q = url.query_pairs_mut();
                match &sub_id {
                    Some(s) => q.append_pair("subscription_id", s),
                    None => q.append_pair("payment_id", &pay_id),
                };
                q.append_pair("status", &status);
                q.append_pair("email", customer.email);
            }
            Ok(Redirect::to(url.as_str()).into_response())
        }
        None => Ok(page(
            "Dodo Payments sandbox checkout",
            "hosted-result",
            &format!(
                "<p data-testid=\"hosted-status\">Payment {status}</p><p>Payment <code>{pay_id}</code></p>"
            ),
        )
        .into_response()),
    }
}

/// The page an update-payment-method link (`type: new`) opens.
pub async fn update_method_page(
    State(sb): State<Sandbox>,
    Path(token): Path<String>,
) -> Result<Html<String>, ApiError> {
    let link = sb
        .ledger
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .links
        .get(&token)
        .filter(|l| l["kind"] == "update_method")
        .cloned()
        .ok_or_else(|| not_found("Payment method update session"))?;
    let sub = link["subscription_id"].as_str().unwrap_or_default();
    Ok(page(
        "Dodo Payments sandbox: update payment method",
        "update-payment-method",
        &format!(
            "<p>Subscription <code>{sub}</code></p>\
             <p>In live mode the customer enters a new payment method here and returns to the merchant.</p>{}",
            link["return_url"].as_str().map(|u| format!("<p>Return: <code>{}</code></p>", html_escape(u))).unwrap_or_default()
        ),
    ))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
