//! Products, customers and their saved methods (CONTRACT §6, §7), and the customer portal
//! session (§16.4) with the sandbox-hosted page its link opens.
use super::{catalogue, error, not_found, ApiError, Paging, Reply, Sandbox};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Html;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

pub(super) fn parse_bool(v: &Option<String>) -> Result<Option<bool>, ApiError> {
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

pub async fn list_products(Query(q): Query<Paging>) -> Reply {
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

pub async fn get_product(Path(id): Path<String>) -> Reply {
    let p = catalogue::product(&id).ok_or_else(|| not_found("Product"))?;
    Ok(Json(catalogue::product_json(p)))
}

pub async fn list_customers(Query(q): Query<Paging>) -> Reply {
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

pub(super) fn find_customer(id: &str) -> Result<&'static catalogue::Customer, ApiError> {
    catalogue::CUSTOMERS
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| not_found("Customer"))
}

pub async fn get_customer(Path(id): Path<String>) -> Reply {
    Ok(Json(catalogue::customer_json(find_customer(&id)?)))
}

pub async fn customer_payment_methods(Path(id): Path<String>) -> Reply {
    Ok(Json(catalogue::payment_methods_json(
        find_customer(&id)?.id,
    )))
}

#[derive(Deserialize)]
pub struct PortalQuery {
    send_email: Option<String>,
}

/// `POST /customers/{id}/customer-portal/session?send_email=bool` → `{link}`.
pub async fn portal_session(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    Query(q): Query<PortalQuery>,
) -> Reply {
    let customer = find_customer(&id)?;
    let send_email = parse_bool(&q.send_email)?.unwrap_or(false);
    let token = super::payments::id("cps");
    sb.ledger
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .links
        .insert(
            token.clone(),
            json!({ "kind": "portal", "customer_id": customer.id, "send_email": send_email }),
        );
    Ok(Json(
        json!({ "link": format!("{}/_sandbox/portal/{token}", sb.base_url) }),
    ))
}

/// The portal page a portal link opens (no API key: the unguessable token is the key).
pub async fn portal_page(
    State(sb): State<Sandbox>,
    Path(token): Path<String>,
) -> Result<Html<String>, ApiError> {
    let link = sb
        .ledger
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .links
        .get(&token)
        .filter(|l| l["kind"] == "portal")
        .cloned()
        .ok_or_else(|| not_found("Portal session"))?;
    let customer = find_customer(link["customer_id"].as_str().unwrap_or_default())?;
    let rows: String = sb
        .subscriptions_of(customer.id)
        .iter()
        .map(|s| {
            format!(
                "<li><code>{}</code> {} — {} (next billing {})</li>",
                s["subscription_id"].as_str().unwrap_or_default(),
                s["product_name"].as_str().unwrap_or_default(),
                s["status"].as_str().unwrap_or_default(),
                s["next_billing_date"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    Ok(Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sandbox customer portal</title></head>\
         <body style=\"font-family:system-ui;max-width:560px;margin:3rem auto\">\
         <h1 data-testid=\"customer-portal\">Dodo Payments sandbox customer portal</h1>\
         <p>{}</p><ul>{rows}</ul></body></html>",
        customer.name
    )))
}
