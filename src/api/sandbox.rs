//! The sandbox page's functions: simulate a purchase and switch faults. They talk to the
//! sandbox over HTTP like any Dodo client would, and exist only when the sandbox runs.
use super::codec::FormOrJson;
use crate::domain::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxCatalogue {
    pub customers: Vec<(String, String)>,
    pub products: Vec<(String, String)>,
    /// The demo subscriptions: (id, label).
    pub subscriptions: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseResult {
    pub payment_id: String,
    /// The offer the purchase produced, if a rule matched.
    pub offer_url: Option<String>,
}

#[cfg(feature = "ssr")]
fn merchant(r: crate::domain::role::Role) -> bool {
    r.can_edit_rules()
}

#[cfg(feature = "ssr")]
async fn sandbox_call(path: &str, body: serde_json::Value) -> Result<serde_json::Value, AppError> {
    use crate::domain::error::ErrorCode;
    let state = super::guard::state();
    if !state.config.sandbox_enabled() {
        return Err(AppError::new(
            ErrorCode::NotFound,
            "The sandbox is off because a real Dodo API key is configured.",
        ));
    }
    let url = format!("{}{}{path}", state.app_url, crate::server::sandbox::MOUNT);
    let r = reqwest::Client::new()
        .post(url)
        .bearer_auth(state.config.sandbox_api_key.expose())
        .json(&body)
        .send()
        .await
        .map_err(|_| {
            AppError::new(
                ErrorCode::Upstream,
                "The sandbox did not answer; try again.",
            )
        })?;
    let ok = r.status().is_success();
    let v: serde_json::Value = r.json().await.unwrap_or_default();
    if ok {
        Ok(v)
    } else {
        Err(AppError::new(
            ErrorCode::BadRequest,
            v["message"]
                .as_str()
                .unwrap_or("The sandbox refused the request.")
                .to_string(),
        ))
    }
}

#[server(endpoint = "sandbox/info")]
pub async fn sandbox_info() -> Result<SandboxCatalogue, AppError> {
    super::guard::finish(
        async {
            super::guard::require(merchant).await?;
            use crate::server::sandbox::catalogue::{product, CUSTOMERS, PRODUCTS};
            use crate::server::sandbox::subscriptions::SEED;
            let subscriptions = SEED
                .iter()
                .filter(|s| s.5 == "active")
                .map(|s| {
                    let who = CUSTOMERS
                        .iter()
                        .find(|c| c.id == s.1)
                        .map_or("", |c| c.name);
                    let plan = product(s.2).map_or("", |p| p.name);
                    (s.0.to_string(), format!("{who} — {plan} ({})", s.0))
                })
                .collect();
            Ok(SandboxCatalogue {
                subscriptions,
                customers: CUSTOMERS
                    .iter()
                    .map(|c| (c.id.to_string(), format!("{} <{}>", c.name, c.email)))
                    .collect(),
                products: PRODUCTS
                    .iter()
                    .map(|p| {
                        (
                            p.id.to_string(),
                            format!(
                                "{} — {}",
                                p.name,
                                crate::domain::money::format_money(p.price, p.currency)
                            ),
                        )
                    })
                    .collect(),
            })
        }
        .await,
    )
}

#[server(endpoint = "sandbox/purchase", input = FormOrJson)]
pub async fn simulate_purchase(
    customer_id: String,
    product_id: String,
) -> Result<PurchaseResult, AppError> {
    super::guard::finish(
        async {
            super::guard::require(merchant).await?;
            let payment = sandbox_call(
                "/_sandbox/purchases",
                serde_json::json!({ "customer_id": customer_id, "product_id": product_id }),
            )
            .await?;
            let payment_id = payment["payment_id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let state = super::guard::state();
            // The webhook arrives on its own; wait for it (up to 5 s) so the link can be shown.
            let mut offer_url = None;
            for _ in 0..100 {
                // The webhook row and the offer commit together: look for the webhook first,
                // then the offer, so "no offer" is only concluded once the event is applied.
                let seen: Option<String> = sqlx::query_scalar(
                    "SELECT webhook_id FROM webhook_events WHERE body LIKE $1 LIMIT 1",
                )
                .bind(format!("%{payment_id}%"))
                .fetch_optional(&state.db)
                .await?;
                let row: Option<String> =
                    sqlx::query_scalar("SELECT token FROM offers WHERE trigger_payment_id = $1")
                        .bind(&payment_id)
                        .fetch_optional(&state.db)
                        .await?;
                if let Some(t) = row {
                    offer_url = Some(format!("/offer/{t}"));
                    break;
                }
                if seen.is_some() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            // A plain form comes back to the page, which shows the payment and the offer link.
            let query = crate::domain::query_string([
                ("paid", payment_id.as_str()),
                ("customer", &customer_id),
                ("product", &product_id),
                ("offer", offer_url.as_deref().unwrap_or_default()),
            ]);
            super::guard::form_redirect(&format!("/sandbox?{query}"));
            Ok(PurchaseResult {
                payment_id,
                offer_url,
            })
        }
        .await,
    )
}

#[server(endpoint = "sandbox/fault", input = FormOrJson)]
pub async fn set_fault(mode: String, code: Option<String>) -> Result<(), AppError> {
    super::guard::finish(
        async {
            super::guard::require(merchant).await?;
            // A form sends no code; a decline then refuses for want of funds.
            let code = code
                .filter(|c| !c.is_empty())
                .or_else(|| (mode == "decline").then(|| "INSUFFICIENT_FUNDS".to_string()));
            sandbox_call(
                "/_sandbox/faults",
                serde_json::json!({ "mode": mode, "code": code, "delay_ms": 3000 }),
            )
            .await?;
            super::guard::form_redirect(&format!(
                "/sandbox?fault={}",
                crate::domain::query_value(&mode)
            ));
            Ok(())
        }
        .await,
    )
}

/// A subscriber's moment, as the merchant's backend would report it: near the plan's limit
/// (an upgrade offer moves their subscription) or asking to cancel (a save offer, or the
/// cancellation). A plain form goes on to the offer, or back saying what happened.
#[server(endpoint = "sandbox/subscriber", input = FormOrJson)]
pub async fn subscriber_moment(
    subscription_id: String,
    moment: String,
    reason: Option<String>,
) -> Result<Option<String>, AppError> {
    use crate::domain::error::ErrorCode;
    use crate::server::offers::{self, CancelOutcome, Reported};
    super::guard::finish(
        async {
            super::guard::require(merchant).await?;
            let state = super::guard::state();
            if !state.config.sandbox_enabled() {
                return Err(AppError::new(
                    ErrorCode::NotFound,
                    "The sandbox is off because a real Dodo API key is configured.",
                ));
            }
            let sub = state.dodo.subscription(&subscription_id).await?;
            let text = |p: &str| {
                sub.pointer(p)
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let (customer, product) = (text("/customer/customer_id"), text("/product_id"));
            let (token, note) =
                match moment.as_str() {
                    "near_limit" => match offers::report_event(
                        &state,
                        &customer,
                        &product,
                        Some(&subscription_id),
                        crate::domain::rule::Timing::NearPlanLimit,
                    )
                    .await?
                    {
                        Reported::Offer(t) => (Some(t), ""),
                        Reported::NoRule => (None, "no_rule"),
                        Reported::Refused(why) => (None, why.as_str()),
                    },
                    "cancel" => {
                        let reason = reason.unwrap_or_else(|| "other".into());
                        match offers::request_cancel(&state, &subscription_id, &reason, "").await? {
                            CancelOutcome::Offer(t) => (Some(t), ""),
                            CancelOutcome::Cancelled => (None, "cancelled"),
                        }
                    }
                    _ => return Err(AppError::new(
                        ErrorCode::BadRequest,
                        "Choose what the subscriber does: near the plan limit, or asks to cancel.",
                    )),
                };
            match &token {
                Some(t) => super::guard::form_redirect(&format!("/offer/{t}")),
                None => super::guard::form_redirect(&format!(
                    "/sandbox?{}",
                    crate::domain::query_string([
                        ("moment", note),
                        ("sub", subscription_id.as_str())
                    ])
                )),
            }
            Ok(token)
        }
        .await,
    )
}
