//! The sandbox: an in-process emulator of Dodo Payments' HTTP API, mounted at `/sandbox/dodo`
//! so the official SDK (or curl) reaches it over real HTTP exactly as it would reach Dodo.
//! It follows the contract's transport rules: bearer auth, `{code, message}` errors,
//! zero-based `page_number`, `page_size` default 10 and cap 100, `{items: [...]}` envelopes.
pub mod catalogue;
pub mod payments;
pub mod subscriptions;

use super::config::Secret;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
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

fn parse_bool(v: &Option<String>) -> Result<Option<bool>, ApiError> {
    match v.as_deref() {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_REQUEST_PARAMETERS",
            "boolean parameters must be true or false",
        )),
    }
}

async fn list_products(Query(q): Query<Paging>) -> Reply {
    let recurring = parse_bool(&q.recurring)?;
    let all: Vec<&catalogue::Product> = catalogue::PRODUCTS
        .iter()
        .filter(|p| recurring.is_none_or(|r| p.interval.is_some() == r))
        .collect();
    let items: Vec<Value> = q
        .slice(&all)?
        .into_iter()
        .map(catalogue::product_list_item_json)
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn get_product(Path(id): Path<String>) -> Reply {
    let p = catalogue::product(&id).ok_or_else(|| not_found("Product"))?;
    Ok(Json(catalogue::product_json(p)))
}

async fn list_customers(Query(q): Query<Paging>) -> Reply {
    let all: Vec<&catalogue::Customer> = catalogue::CUSTOMERS
        .iter()
        .filter(|c| {
            q.email
                .as_deref()
                .is_none_or(|e| c.email.eq_ignore_ascii_case(e))
        })
        .filter(|c| {
            q.name
                .as_deref()
                .is_none_or(|n| c.name.to_lowercase().contains(&n.to_lowercase()))
        })
        .collect();
    let items: Vec<Value> = q
        .slice(&all)?
        .into_iter()
        .map(catalogue::customer_json)
        .collect();
    Ok(Json(json!({ "items": items })))
}

fn find_customer(id: &str) -> Result<&'static catalogue::Customer, ApiError> {
    catalogue::CUSTOMERS
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| not_found("Customer"))
}

async fn get_customer(Path(id): Path<String>) -> Reply {
    Ok(Json(catalogue::customer_json(find_customer(&id)?)))
}

async fn customer_payment_methods(Path(id): Path<String>) -> Reply {
    Ok(Json(catalogue::payment_methods_json(
        find_customer(&id)?.id,
    )))
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
pub fn router(api_key: Secret, signer: standardwebhooks::Webhook, app_url: &str) -> Router {
    let sb = Sandbox {
        api_key: Arc::new(api_key),
        signer: Arc::new(signer),
        webhook_target: Some(format!("{app_url}/webhooks/dodo")),
        base_url: format!("{app_url}{MOUNT}"),
        http: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .unwrap_or_default(),
        ledger: Arc::default(),
        subscriptions: Arc::new(std::sync::Mutex::new(subscriptions::Book::seeded())),
    };
    // The hosted checkout page is opened by customers' browsers: no API key there.
    let hosted = Router::new()
        .route("/_sandbox/hosted/{session_id}", get(payments::hosted_page))
        .with_state(sb.clone());
    Router::new()
        .route("/products", get(list_products))
        .route("/products/{id}", get(get_product))
        .route("/customers", get(list_customers))
        .route("/customers/{id}", get(get_customer))
        .route(
            "/customers/{id}/payment-methods",
            get(customer_payment_methods),
        )
        .route("/checkouts", axum::routing::post(payments::create_checkout))
        .route("/checkouts/{id}", get(payments::get_checkout))
        .route(
            "/payments",
            get(payments::list_payments).post(payments::create_payment),
        )
        .route("/payments/{id}", get(payments::get_payment))
        .route("/subscriptions", get(subscriptions::list))
        .route("/subscriptions/{id}", get(subscriptions::get))
        .route(
            "/subscriptions/{id}/change-plan",
            axum::routing::post(subscriptions::change_plan),
        )
        .route(
            "/subscriptions/{id}/change-plan/preview",
            axum::routing::post(subscriptions::preview),
        )
        .route(
            "/subscriptions/{id}/change-plan/scheduled",
            axum::routing::delete(subscriptions::cancel_scheduled),
        )
        .route("/_sandbox/plan-change-calls", get(subscriptions::calls))
        .route("/_sandbox/faults", axum::routing::post(payments::set_fault))
        .route("/_sandbox/charges", get(payments::charges))
        .route(
            "/_sandbox/purchases",
            axum::routing::post(payments::simulate_purchase),
        )
        .fallback(|| async { not_found("Route").into_response() })
        .layer(middleware::from_fn_with_state(sb.clone(), require_key))
        .with_state(sb)
        .merge(hosted)
}
