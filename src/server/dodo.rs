//! Our one door to Dodo Payments: the official SDK behind a small service that maps its
//! errors and chooses retries per call. Reads retry; anything that can move money does not
//! (Dodo has no idempotency header, so a retried charge is a second charge).
use crate::domain::error::AppError;
use crate::domain::rule::ProductSummary;
use dodopayments::{Client, ClientConfig};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Products change rarely; the rule editor reads them on every page load and save.
const CATALOGUE_TTL: Duration = Duration::from_secs(30);
const PAGE_SIZE: i64 = 100;

/// A charge or plan change whose outcome is not known yet is left to its webhooks this long
/// after the call before Dodo is read back.
pub const READ_BACK_AFTER_MS: i64 = 3_000;

pub struct Dodo {
    /// Retries on: safe to repeat (reads, previews, creating a hosted session).
    pub(crate) reads: Client,
    /// Retries off: used for checkout sessions with `confirm: true` and plan changes.
    pub charges: Client,
    charge_timeout: Duration,
    catalogue: Mutex<Option<(Instant, Arc<Vec<ProductSummary>>)>>,
}

impl Dodo {
    pub fn new(
        base_url: &str,
        api_key: &str,
        charge_timeout: Duration,
    ) -> Result<Self, dodopayments::Error> {
        let reads = Client::new(
            ClientConfig::new(base_url)
                .with_api_key(api_key)
                .with_timeout(Duration::from_secs(10))
                .with_max_retries(2),
        )?;
        let charges = Client::new(
            ClientConfig::new(base_url)
                .with_api_key(api_key)
                .with_timeout(charge_timeout)
                .with_max_retries(0),
        )?;
        Ok(Self {
            reads,
            charges,
            charge_timeout,
            catalogue: Mutex::new(None),
        })
    }

    /// How long after a charge or plan-change call whose outcome was lost Dodo, still showing
    /// no result of it, counts as never having made it: three times the charge client's
    /// timeout, by when a request Dodo was still working on as we gave up has long finished.
    pub fn outcome_lost_after_ms(&self) -> i64 {
        3 * i64::try_from(self.charge_timeout.as_millis()).unwrap_or(i64::MAX / 3)
    }

    /// Every active product, all pages (zero-based paging, stop on a short page, de-duplicated
    /// by id: the contract's safe reading of Dodo's pagination).
    pub async fn products(&self) -> Result<Arc<Vec<ProductSummary>>, AppError> {
        let mut cache = self.catalogue.lock().await;
        if let Some((at, list)) = cache.as_ref() {
            if at.elapsed() < CATALOGUE_TTL {
                return Ok(list.clone());
            }
        }
        let mut out: Vec<ProductSummary> = Vec::new();
        for page in 0..100 {
            let started = Instant::now();
            let resp = self
                .reads
                .products()
                .list()
                .query(json!({ "page_size": PAGE_SIZE, "page_number": page }))
                .await;
            super::metrics::dodo_call("GET /products", resp.is_ok(), started.elapsed());
            let resp = resp?;
            let n = resp.items.len() as i64;
            for item in resp.items {
                let item = serde_json::to_value(&item).unwrap_or(Value::Null);
                if let Some(p) = summary_from_list_item(&item) {
                    if !out.iter().any(|o| o.id == p.id) {
                        out.push(p);
                    }
                }
            }
            if n < PAGE_SIZE {
                break;
            }
        }
        out.sort_by_key(|p| p.name.to_lowercase());
        let list = Arc::new(out);
        *cache = Some((Instant::now(), list.clone()));
        Ok(list)
    }

    /// Forget the cached catalogue (after a validation miss, so a new product shows up at once).
    pub async fn refresh_products(&self) {
        *self.catalogue.lock().await = None;
    }
}

/// How a one-click charge call ended, as far as the HTTP exchange tells.
pub enum ChargeCall {
    /// Dodo accepted the session; the payment's outcome arrives by webhook.
    Accepted {
        session_id: String,
        payment_id: Option<String>,
    },
    /// Dodo refused the request (4xx): nothing was charged.
    Refused { code: String, message: String },
    /// Timeout, connection loss or 5xx: the charge may or may not exist. Never re-sent.
    Unknown,
}

impl Dodo {
    /// Saved payment methods of a customer, read with retries (reads are safe to repeat).
    pub async fn payment_methods(
        &self,
        customer_id: &str,
    ) -> Result<Vec<crate::domain::offer::SavedMethod>, AppError> {
        let started = Instant::now();
        let resp = self
            .reads
            .customers()
            .retrieve_payment_methods()
            .customer_id(customer_id)
            .await;
        super::metrics::dodo_call(
            "GET /customers/{id}/payment-methods",
            resp.is_ok(),
            started.elapsed(),
        );
        let resp = resp?;
        Ok(resp.items.iter().filter_map(saved_method).collect())
    }

    /// The one-click charge: a checkout session with the saved method and `confirm: true`,
    /// on the client whose retries are off.
    pub async fn charge(&self, body: Value) -> ChargeCall {
        let params: dodopayments::models::CheckoutSessionsCreateParams =
            match serde_json::from_value(body) {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(error = %e, "checkout body does not match the SDK's shape");
                    return ChargeCall::Refused {
                        code: "INVALID_REQUEST_BODY".into(),
                        message: "internal request error".into(),
                    };
                }
            };
        let started = Instant::now();
        let sent = self.charges.checkout_sessions().create().body(params).await;
        super::metrics::dodo_call("POST /checkouts (charge)", sent.is_ok(), started.elapsed());
        match sent {
            Ok(r) => ChargeCall::Accepted {
                session_id: r.session_id,
                payment_id: r.payment_id,
            },
            Err(dodopayments::Error::Api { status, message })
                if (400..500).contains(&status) && status != 408 && status != 429 =>
            {
                let v: Value = serde_json::from_str(&message).unwrap_or(Value::Null);
                tracing::warn!(status, code = ?v.get("code"), "one-click charge refused");
                ChargeCall::Refused {
                    code: v
                        .get("code")
                        .and_then(Value::as_str)
                        .unwrap_or("REFUSED")
                        .to_string(),
                    message: v
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("The payment was refused.")
                        .to_string(),
                }
            }
            Err(dodopayments::Error::Api { status: 429, .. }) => ChargeCall::Refused {
                code: "TOO_MANY_REQUESTS".into(),
                message: "Dodo Payments is busy; nothing was charged.".into(),
            },
            Err(e) => {
                tracing::warn!(error = %e, "one-click charge outcome unknown; waiting for the webhook");
                ChargeCall::Unknown
            }
        }
    }

    /// The customer's newest payment created since `since_ms` whose metadata has `key` =
    /// `value`: how a charge whose response was lost is found. Reads the first hundred, newest
    /// first; a charge we are looking for was made minutes ago.
    pub async fn payment_naming(
        &self,
        customer_id: &str,
        since_ms: i64,
        key: &str,
        value: &str,
    ) -> Result<Option<Value>, AppError> {
        let since = chrono::DateTime::from_timestamp_millis(since_ms)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let req = self
            .reads
            .request(reqwest::Method::GET, "/payments")
            .query(&[
                ("customer_id", customer_id),
                ("created_at_gte", &since),
                ("page_size", "100"),
                ("page_number", "0"),
            ]);
        let page = self.read(req, "Payments not readable yet.").await?;
        Ok(page
            .get("items")
            .and_then(Value::as_array)
            .and_then(|items| {
                items
                    .iter()
                    .find(|p| {
                        p.pointer(&format!("/metadata/{key}"))
                            .and_then(Value::as_str)
                            == Some(value)
                    })
                    .cloned()
            }))
    }

    /// A payment, read back (safe to retry) to settle a charge whose webhook is late.
    pub async fn payment(&self, payment_id: &str) -> Result<Value, AppError> {
        let req = self
            .reads
            .request(reqwest::Method::GET, &format!("/payments/{payment_id}"));
        self.read(req, "Payment not readable yet.").await
    }

    /// Sends a request built on `client`, timed by operation for `/metrics`.
    pub(crate) async fn sent(
        &self,
        client: &Client,
        req: reqwest::RequestBuilder,
    ) -> dodopayments::Result<reqwest::Response> {
        let op = req.try_clone().and_then(|r| r.build().ok()).map_or_else(
            || "unknown".to_string(),
            |r| super::metrics::operation(r.method().as_str(), r.url().path()),
        );
        let started = Instant::now();
        let r = client.send(req).await;
        let ok = r.as_ref().is_ok_and(|r| r.status().is_success());
        super::metrics::dodo_call(&op, ok, started.elapsed());
        r
    }

    /// A read's JSON body; any non-2xx answer is `unreadable`, an upstream error.
    async fn read(
        &self,
        req: reqwest::RequestBuilder,
        unreadable: &'static str,
    ) -> Result<Value, AppError> {
        let resp = self.sent(&self.reads, req).await?;
        if !resp.status().is_success() {
            return Err(AppError::new(
                crate::domain::error::ErrorCode::Upstream,
                unreadable,
            ));
        }
        resp.json()
            .await
            .map_err(|e| AppError::from(dodopayments::Error::from(e)))
    }

    /// Makes a discount code (§16.6) and returns it. On the client that never retries: a
    /// retried create could make a second code (harmless — single-use, expiring — but untidy).
    pub async fn create_discount(&self, body: Value) -> Result<String, AppError> {
        let params: dodopayments::models::DiscountsCreateParams = serde_json::from_value(body)
            .map_err(|e| {
                tracing::error!(error = %e, "discount body does not match the SDK's shape");
                AppError::internal()
            })?;
        let started = Instant::now();
        let sent = self.charges.discounts().create().body(params).await;
        super::metrics::dodo_call("POST /discounts", sent.is_ok(), started.elapsed());
        Ok(sent?.code)
    }

    /// A standard hosted checkout for the same product (the fallback). Creating a session
    /// charges nothing, so this call may be retried.
    pub async fn hosted_checkout(&self, body: Value) -> Result<String, AppError> {
        let params: dodopayments::models::CheckoutSessionsCreateParams =
            serde_json::from_value(body).map_err(|e| {
                tracing::error!(error = %e, "hosted checkout body does not match the SDK's shape");
                AppError::internal()
            })?;
        let started = Instant::now();
        let sent = self.reads.checkout_sessions().create().body(params).await;
        super::metrics::dodo_call("POST /checkouts", sent.is_ok(), started.elapsed());
        sent?.checkout_url.ok_or_else(AppError::internal)
    }
}

/// A saved card's expiry as (year, month), from the payment-methods list.
pub(crate) fn card_expiry(method: &Value) -> Option<(i32, u32)> {
    let num = |k: &str| {
        method
            .get("card")
            .and_then(|c| c.get(k))
            .and_then(Value::as_str)
            .and_then(|s| s.trim().parse::<i64>().ok())
    };
    let (y, m) = (num("expiry_year")?, num("expiry_month")?);
    // Two-digit years happen in the wild ("29"): read them as 20xx.
    Some((if y < 100 { 2000 + y } else { y } as i32, m as u32))
}

pub(crate) fn saved_method(v: &Value) -> Option<crate::domain::offer::SavedMethod> {
    let expires = card_expiry(v);
    Some(crate::domain::offer::SavedMethod {
        id: v.get("payment_method_id")?.as_str()?.to_string(),
        family: v
            .get("payment_method")
            .and_then(Value::as_str)
            .unwrap_or("card")
            .to_string(),
        recurring_enabled: v
            .get("recurring_enabled")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        expires,
    })
}

/// The list endpoint's flat shape: `price` is an integer and `currency` is top level; the
/// price object (with the billing interval) is `price_detail`.
fn summary_from_list_item(v: &Value) -> Option<ProductSummary> {
    let detail = v.get("price_detail");
    let price = v.get("price").and_then(Value::as_i64).or_else(|| {
        detail
            .and_then(|d| d.get("price").or_else(|| d.get("fixed_price")))
            .and_then(Value::as_i64)
    })?;
    let currency = v
        .get("currency")
        .and_then(Value::as_str)
        .or_else(|| {
            detail
                .and_then(|d| d.get("currency"))
                .and_then(Value::as_str)
        })?
        .to_string();
    let is_recurring = v
        .get("is_recurring")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let interval = detail
        .and_then(|d| d.get("payment_frequency_interval"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let id = v.get("product_id")?.as_str()?.to_string();
    Some(ProductSummary {
        name: v
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| id.clone()),
        id,
        price,
        currency,
        is_recurring,
        interval,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_flat_list_shape() {
        let item = json!({
            "product_id": "pdt_1", "name": "Pro Monthly", "is_recurring": true,
            "price": 8000, "currency": "USD",
            "price_detail": {"type": "recurring_price", "currency": "USD", "price": 8000,
                              "payment_frequency_interval": "Month"}
        });
        let p = summary_from_list_item(&item).unwrap();
        assert_eq!(
            (p.price, p.currency.as_str(), p.interval.as_deref()),
            (8000, "USD", Some("Month"))
        );
        // Unnamed products fall back to their id; missing prices are skipped.
        let bare =
            json!({"product_id": "pdt_2", "price_detail": {"fixed_price": 500, "currency": "EUR"}});
        assert_eq!(summary_from_list_item(&bare).unwrap().name, "pdt_2");
        assert!(summary_from_list_item(&json!({"product_id": "pdt_3"})).is_none());
    }
}
