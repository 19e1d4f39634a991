//! Subscription calls on our Dodo service. Responses are read as JSON, leniently (every
//! optional field may be missing on older API versions). Reads and previews use the client
//! with retries; change-plan uses the one without, since a retried change is a second charge.
use crate::domain::error::{AppError, ErrorCode};
use crate::server::dodo::Dodo;
use serde_json::Value;

const PAGE_SIZE: usize = 100;

/// How a change-plan call ended, as far as the HTTP exchange tells.
pub enum PlanCall {
    /// Dodo took the change (an empty body on older versions, an object on the newest).
    Accepted { payment_id: Option<String> },
    /// Dodo refused it (4xx): nothing changed, nothing was charged.
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// Timeout, connection loss or 5xx: the change may have happened. Never re-sent.
    Unknown,
}

fn dodo_message(body: &str) -> (String, String) {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    (s("code").to_string(), s("message").to_string())
}

/// Dodo's 409 on a preview or a change: another change is pending there.
pub fn pending_at_dodo() -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        "Dodo Payments reports a plan change already pending for this subscription (a scheduled change, \
         or a charge still processing). Nothing was charged. Cancel the scheduled change or wait for the \
         charge, then preview again.",
    )
}

/// A refused read or preview, in words support can act on.
fn refused(status: u16, body: String) -> AppError {
    let (code, message) = dodo_message(&body);
    match status {
        404 => AppError::new(
            ErrorCode::NotFound,
            "Dodo Payments does not know this subscription or customer; check the id and search again.",
        ),
        409 => pending_at_dodo(),
        400 | 422 => {
            tracing::info!(status, dodo_code = %code, "Dodo refused a plan change request");
            AppError::new(
                ErrorCode::Validation,
                format!("Dodo Payments refused this change: {message} ({code}). Pick another plan or quantity."),
            )
        }
        _ => AppError::from(dodopayments::Error::Api {
            status,
            message: body,
        }),
    }
}

impl Dodo {
    async fn read_json(&self, req: reqwest::RequestBuilder) -> Result<Value, AppError> {
        let resp = self.sent(&self.reads, req).await?;
        let status = resp.status().as_u16();
        let text = resp
            .text()
            .await
            .map_err(|e| AppError::from(dodopayments::Error::from(e)))?;
        if !(200..300).contains(&status) {
            return Err(refused(status, text));
        }
        serde_json::from_str(&text).map_err(|e| AppError::from(dodopayments::Error::from(e)))
    }

    async fn get_json(&self, path: &str) -> Result<Value, AppError> {
        self.read_json(self.reads.request(reqwest::Method::GET, path))
            .await
    }

    /// Every item of a list endpoint (zero-based pages, stop on a short page).
    async fn list_all(&self, path: &str, filter: &[(&str, &str)]) -> Result<Vec<Value>, AppError> {
        let mut out: Vec<Value> = Vec::new();
        for page in 0..50 {
            let req = self
                .reads
                .request(reqwest::Method::GET, path)
                .query(filter)
                .query(&[("page_size", PAGE_SIZE), ("page_number", page)]);
            let v = self.read_json(req).await?;
            let items = v
                .get("items")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let n = items.len();
            out.extend(items);
            if n < PAGE_SIZE {
                break;
            }
        }
        Ok(out)
    }

    pub async fn subscription(&self, id: &str) -> Result<Value, AppError> {
        self.get_json(&format!("/subscriptions/{id}")).await
    }

    pub async fn subscriptions_of(&self, customer_id: &str) -> Result<Vec<Value>, AppError> {
        self.list_all("/subscriptions", &[("customer_id", customer_id)])
            .await
    }

    pub async fn customer(&self, id: &str) -> Result<Value, AppError> {
        self.get_json(&format!("/customers/{id}")).await
    }

    pub async fn customers_by_email(&self, email: &str) -> Result<Vec<Value>, AppError> {
        self.list_all("/customers", &[("email", email)]).await
    }

    /// Saved methods as Dodo lists them (card details included), read with retries.
    pub async fn payment_methods_raw(&self, customer_id: &str) -> Result<Vec<Value>, AppError> {
        let v = self
            .get_json(&format!("/customers/{customer_id}/payment-methods"))
            .await?;
        Ok(v.get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    /// A preview changes and charges nothing, so it may be retried.
    pub async fn preview_plan_change(&self, id: &str, body: &Value) -> Result<Value, AppError> {
        let req = self
            .reads
            .request(
                reqwest::Method::POST,
                &format!("/subscriptions/{id}/change-plan/preview"),
            )
            .json(body);
        self.read_json(req).await
    }

    /// The change itself, sent once on the client whose retries are off.
    pub async fn change_plan(&self, id: &str, body: &Value) -> PlanCall {
        let req = self
            .charges
            .request(
                reqwest::Method::POST,
                &format!("/subscriptions/{id}/change-plan"),
            )
            .json(body);
        let resp = match self.sent(&self.charges, req).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "change-plan outcome unknown; waiting for webhooks or a read-back");
                return PlanCall::Unknown;
            }
        };
        let status = resp.status().as_u16();
        let text = match resp.text().await {
            Ok(t) => t,
            Err(_) if (200..300).contains(&status) => String::new(),
            Err(_) => return PlanCall::Unknown,
        };
        match status {
            200..=299 => {
                // Empty on older API versions; `{payment_id, …}` on the newest.
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                PlanCall::Accepted {
                    payment_id: v
                        .get("payment_id")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                }
            }
            // 429 is refused before anything happens; a timeout or 5xx may hide a change.
            408 | 500.. => {
                tracing::warn!(status, "change-plan outcome unknown; not re-sent");
                PlanCall::Unknown
            }
            _ => {
                let (code, message) = dodo_message(&text);
                tracing::warn!(status, dodo_code = %code, "change-plan refused");
                PlanCall::Refused {
                    status,
                    code,
                    message,
                }
            }
        }
    }

    pub async fn cancel_scheduled_change(&self, id: &str) -> Result<(), AppError> {
        let req = self.reads.request(
            reqwest::Method::DELETE,
            &format!("/subscriptions/{id}/change-plan/scheduled"),
        );
        let resp = self.sent(&self.reads, req).await?;
        let status = resp.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(());
        }
        Err(refused(status, resp.text().await.unwrap_or_default()))
    }

    /// `PATCH /subscriptions/{id}`: set-to-values fields (cancel at period end, a new billing
    /// date), so a retried call leaves the same result; read back as the whole subscription.
    pub async fn patch_subscription(&self, id: &str, body: &Value) -> Result<Value, AppError> {
        let req = self
            .reads
            .request(reqwest::Method::PATCH, &format!("/subscriptions/{id}"))
            .json(body);
        self.read_json(req).await
    }

    /// A link where the customer enters a new payment method for subscription `id` (after a
    /// failed one-click charge on it). Creating a link charges nothing.
    pub async fn update_method_link(&self, id: &str, return_url: &str) -> Result<String, AppError> {
        let req = self
            .reads
            .request(
                reqwest::Method::POST,
                &format!("/subscriptions/{id}/update-payment-method"),
            )
            .json(&serde_json::json!({ "type": "new", "return_url": return_url }));
        let v = self.read_json(req).await?;
        v.get("payment_link")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(AppError::internal)
    }
}
