//! The sandbox: an in-process emulator of Dodo Payments' HTTP API, mounted at `/sandbox/dodo`
//! so the official SDK (or curl) reaches it over real HTTP exactly as it would reach Dodo.
//! It follows the contract's transport rules: bearer auth, `{code, message}` errors,
//! zero-based `page_number`, `page_size` default 10 and cap 100, `{items: [...]}` envelopes.
pub mod catalogue;
pub mod checkouts;
pub mod clock;
pub mod customers;
pub mod discounts;
pub mod faults;
pub mod hosted;
pub mod manage;
pub mod payments;
pub mod plan_change;
pub mod preview;
pub mod subscriptions;
pub mod webhooks;

use super::config::Secret;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub const MOUNT: &str = "/sandbox/dodo";

#[derive(Clone)]
pub struct Sandbox {
    api_key: Arc<Secret>,
    /// Signs the webhooks it sends, with the app's webhook secret.
    signer: Arc<standardwebhooks::Webhook>,
    /// `{APP_URL}/webhooks/dodo`, where events are delivered.
    webhook_target: Option<String>,
    /// `{APP_URL}/sandbox/dodo`, for the hosted checkout links it hands out.
    base_url: String,
    http: reqwest::Client,
    ledger: Arc<std::sync::Mutex<payments::Ledger>>,
    subscriptions: Arc<std::sync::Mutex<subscriptions::Book>>,
    /// How far the sandbox's clock runs ahead of real time, in milliseconds (`/_sandbox/clock`).
    clock_offset: Arc<AtomicI64>,
    /// Webhooks leave one at a time, in the order their events happened.
    outbox: Arc<std::sync::OnceLock<webhooks::Outbox>>,
}

impl Sandbox {
    /// The sandbox's now: real time plus the clock offset, in UTC milliseconds. Every billing
    /// computation uses it; only webhook signing stays on real time.
    pub fn now_ms(&self) -> i64 {
        crate::server::ids::now_ms() + self.clock_offset.load(Ordering::SeqCst)
    }

    pub fn now_iso(&self) -> String {
        iso(self.now_ms())
    }
}

/// RFC 3339 with microseconds, as Dodo writes timestamps.
pub fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Dodo's error body, `{code, message}`, with its status.
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "code": self.code, "message": self.message })),
        )
            .into_response()
    }
}

pub fn error(status: StatusCode, code: &'static str, message: &str) -> ApiError {
    ApiError {
        status,
        code,
        message: message.to_string(),
    }
}

type Reply = Result<Json<Value>, ApiError>;

pub(super) fn not_found(what: &str) -> ApiError {
    error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        &format!("{what} not found"),
    )
}

#[derive(Deserialize)]
pub struct Paging {
    page_size: Option<String>,
    page_number: Option<String>,
    recurring: Option<String>,
    email: Option<String>,
    name: Option<String>,
    pub(super) customer_id: Option<String>,
    pub(super) subscription_id: Option<String>,
    pub(super) created_at_gte: Option<String>,
}

impl Paging {
    /// Zero-based slice of `items`; invalid numbers are a 422 as the API answers.
    pub(super) fn slice<T: Clone>(&self, items: &[T]) -> Result<Vec<T>, ApiError> {
        let parse = |v: &Option<String>, default: usize| -> Result<usize, ApiError> {
            match v {
                None => Ok(default),
                Some(s) => s.parse::<usize>().map_err(|_| {
                    error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "INVALID_REQUEST_PARAMETERS",
                        "page_size and page_number must be non-negative integers",
                    )
                }),
            }
        };
        let size = parse(&self.page_size, 10)?.min(100);
        let number = parse(&self.page_number, 0)?;
        Ok(items
            .iter()
            .skip(number.saturating_mul(size))
            .take(size)
            .cloned()
            .collect())
    }
}

async fn require_key(State(sb): State<Sandbox>, req: Request, next: Next) -> Response {
    let ok = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|k| k == sb.api_key.expose());
    if ok {
        next.run(req).await
    } else {
        error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Missing or invalid API key",
        )
        .into_response()
    }
}

/// The sandbox's routes, to be nested at [`MOUNT`].
pub fn router(
    api_key: Secret,
    signer: standardwebhooks::Webhook,
    app_url: &str,
    webhook_url: Option<String>,
) -> Router {
    let sb = Sandbox {
        api_key: Arc::new(api_key),
        signer: Arc::new(signer),
        webhook_target: Some(webhook_url.unwrap_or_else(|| format!("{app_url}/webhooks/dodo"))),
        base_url: format!("{app_url}{MOUNT}"),
        http: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .unwrap_or_default(),
        ledger: Arc::default(),
        subscriptions: Arc::new(std::sync::Mutex::new(subscriptions::Book::seeded())),
        clock_offset: Arc::default(),
        outbox: Arc::default(),
    };
    // The hosted checkout page is opened by customers' browsers: no API key there.
    let hosted = Router::new()
        .route("/_sandbox/hosted/{session_id}", get(hosted::hosted_page))
        .route(
            "/_sandbox/hosted/{session_id}/pay",
            axum::routing::post(hosted::hosted_pay),
        )
        .route(
            "/_sandbox/update-method/{token}",
            get(hosted::update_method_page),
        )
        .route("/_sandbox/portal/{token}", get(customers::portal_page))
        .with_state(sb.clone());
    Router::new()
        .route("/products", get(customers::list_products))
        .route("/products/{id}", get(customers::get_product))
        .route("/customers", get(customers::list_customers))
        .route("/customers/{id}", get(customers::get_customer))
        .route(
            "/customers/{id}/payment-methods",
            get(customers::customer_payment_methods),
        )
        .route(
            "/customers/{id}/customer-portal/session",
            axum::routing::post(customers::portal_session),
        )
        .route(
            "/checkouts",
            axum::routing::post(checkouts::create_checkout),
        )
        .route("/checkouts/{id}", get(checkouts::get_checkout))
        .route("/discounts", axum::routing::post(discounts::create))
        .route("/discounts/code/{code}", get(discounts::by_code))
        .route("/discounts/{id}", get(discounts::get))
        .route(
            "/payments",
            get(payments::list_payments).post(payments::create_payment),
        )
        .route("/payments/{id}", get(payments::get_payment))
        .route("/subscriptions", get(subscriptions::list))
        .route(
            "/subscriptions/{id}",
            get(subscriptions::get).patch(manage::patch),
        )
        .route(
            "/subscriptions/{id}/update-payment-method",
            axum::routing::post(manage::update_payment_method),
        )
        .route(
            "/subscriptions/{id}/change-plan",
            axum::routing::post(plan_change::change_plan),
        )
        .route(
            "/subscriptions/{id}/change-plan/preview",
            axum::routing::post(preview::preview),
        )
        .route(
            "/subscriptions/{id}/change-plan/scheduled",
            axum::routing::delete(plan_change::cancel_scheduled),
        )
        .route("/_sandbox/plan-change-calls", get(plan_change::calls))
        .route("/_sandbox/clock", get(clock::get_clock))
        .route(
            "/_sandbox/clock/advance",
            axum::routing::post(clock::advance),
        )
        .route("/_sandbox/faults", axum::routing::post(faults::set_fault))
        .route("/_sandbox/charges", get(faults::charges))
        .route(
            "/_sandbox/purchases",
            axum::routing::post(payments::simulate_purchase),
        )
        .fallback(|| async { not_found("Route").into_response() })
        .layer(middleware::from_fn_with_state(sb.clone(), require_key))
        .with_state(sb)
        .merge(hosted)
}
