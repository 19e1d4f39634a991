//! The sandbox: an in-process emulator of Dodo Payments' HTTP API, mounted at `/sandbox/dodo`
//! so the official SDK (or curl) reaches it over real HTTP exactly as it would reach Dodo.
//! It follows the contract's transport rules: bearer auth, `{code, message}` errors,
//! zero-based `page_number`, `page_size` default 10 and cap 100, `{items: [...]}` envelopes.
pub mod catalogue;

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
}

pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "code": code, "message": message }))).into_response()
}

fn not_found(what: &str) -> Response {
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
}

impl Paging {
    /// Zero-based slice of `items`; invalid numbers are a 422 as the API answers.
    fn slice<T: Clone>(&self, items: &[T]) -> Result<Vec<T>, Response> {
        let parse = |v: &Option<String>, default: usize| -> Result<usize, Response> {
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

fn parse_bool(v: &Option<String>) -> Result<Option<bool>, Response> {
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

async fn list_products(Query(q): Query<Paging>) -> Response {
    let recurring = match parse_bool(&q.recurring) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let all: Vec<&catalogue::Product> = catalogue::PRODUCTS
        .iter()
        .filter(|p| recurring.is_none_or(|r| p.interval.is_some() == r))
        .collect();
    match q.slice(&all) {
        Ok(page) => {
            let items: Vec<Value> = page
                .into_iter()
                .map(catalogue::product_list_item_json)
                .collect();
            Json(json!({ "items": items })).into_response()
        }
        Err(e) => e,
    }
}

async fn get_product(Path(id): Path<String>) -> Response {
    match catalogue::product(&id) {
        Some(p) => Json(catalogue::product_json(p)).into_response(),
        None => not_found("Product"),
    }
}

async fn list_customers(Query(q): Query<Paging>) -> Response {
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
    match q.slice(&all) {
        Ok(page) => {
            let items: Vec<Value> = page.into_iter().map(catalogue::customer_json).collect();
            Json(json!({ "items": items })).into_response()
        }
        Err(e) => e,
    }
}

fn find_customer(id: &str) -> Option<&'static catalogue::Customer> {
    catalogue::CUSTOMERS.iter().find(|c| c.id == id)
}

async fn get_customer(Path(id): Path<String>) -> Response {
    match find_customer(&id) {
        Some(c) => Json(catalogue::customer_json(c)).into_response(),
        None => not_found("Customer"),
    }
}

async fn customer_payment_methods(Path(id): Path<String>) -> Response {
    match find_customer(&id) {
        Some(c) => Json(catalogue::payment_methods_json(c.id)).into_response(),
        None => not_found("Customer"),
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
    }
}

/// The sandbox's routes, to be nested at [`MOUNT`].
pub fn router(api_key: Secret) -> Router {
    let sb = Sandbox {
        api_key: Arc::new(api_key),
    };
    Router::new()
        .route("/products", get(list_products))
        .route("/products/{id}", get(get_product))
        .route("/customers", get(list_customers))
        .route("/customers/{id}", get(get_customer))
        .route(
            "/customers/{id}/payment-methods",
            get(customer_payment_methods),
        )
        .fallback(|| async { not_found("Route") })
        .layer(middleware::from_fn_with_state(sb.clone(), require_key))
        .with_state(sb)
}
