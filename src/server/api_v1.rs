//! `/api/v1`: the merchant's backend asks for a customer's open offer, accepts or declines it,
//! and reports usage moments. JSON in and out; a bearer token a merchant creates in Settings.
use super::auth::token_hash;
use super::offers;
use super::state::AppState;
use crate::domain::error::{AppError, ErrorCode};
use crate::domain::rule::Timing;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use sqlx::Row;

/// `AppError` as a JSON response with its status, for this plain-axum API.
pub struct ApiFailure(pub AppError);

impl From<AppError> for ApiFailure {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

type Reply = Result<Json<serde_json::Value>, ApiFailure>;

async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    let ok = !token.is_empty()
        && sqlx::query("SELECT id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash(token))
            .fetch_optional(&state.db)
            .await
            .is_ok_and(|r| r.is_some());
    if !ok {
        return ApiFailure(AppError::new(
            ErrorCode::Unauthenticated,
            "Missing, unknown or revoked API token. Send `Authorization: Bearer <token>`; merchants create tokens in Settings.",
        ))
        .into_response();
    }
    next.run(req).await
}

fn check_id(value: &str, prefix: &str, what: &str) -> Result<(), ApiFailure> {
    if value.starts_with(prefix)
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::BadRequest,
            format!("{what} must look like {prefix}…"),
        )
        .into())
    }
}

/// What the guide's eligibility check needs: the offer, what accepting does and costs (now and
/// each period after), and the saved method a one-click charge would use.
async fn open_offer(State(state): State<AppState>, Path(customer_id): Path<String>) -> Reply {
    check_id(&customer_id, "cus_", "customer_id")?;
    let offer = offers::open_for_customer(&state, &customer_id).await?;
    let method = match &offer {
        Some(o) => offers::charged_method(&state, &customer_id, o).await?,
        None => None,
    };
    Ok(Json(json!({
        "offer": offer.as_ref().map(|o| json!({
            "token": o.token, "url": state.offer_url(&o.token),
            "state": o.state, "headline": o.headline, "value_prop": o.value_prop, "badge": o.badge,
            "product_id": o.product_id, "product_name": o.product_name, "quantity": o.quantity,
            "action": o.action, "amount": o.amount, "amount_now": o.amount, "currency": o.currency,
            "recurring_amount": o.recurring_amount, "interval": o.interval,
            "recurring_from_ms": o.recurring_from, "current_plan": o.from_product_name,
            "expires_at_ms": o.expires_at, "save_offer": o.save,
        })),
        "payment_method": method,
        "one_click_possible": method.is_some() || offer.as_ref().is_some_and(|o| o.amount == 0),
    })))
}

fn check_token(token: &str) -> Result<(), ApiFailure> {
    if crate::domain::offer::is_offer_token(token) {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::BadRequest,
            "token must be otk_ followed by 32 hex digits (from the offer's url).",
        )
        .into())
    }
}

async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiFailure> {
    let start = std::time::Instant::now();
    check_token(&token)?;
    let (v, dodo) = offers::accept_timed(&state, &token, None).await?;
    let body = Json(json!({
        "state": v.state, "failure_code": v.failure_code, "failure_message": v.failure_message,
        "fallback_url": v.fallback_url, "requoted": v.requoted, "amount": v.amount,
        "currency": v.currency,
    }));
    // Our own time and the time spent waiting for Dodo, separately (Server-Timing, in ms).
    let own = start.elapsed().saturating_sub(dodo);
    let timing = format!(
        "app;dur={:.3}, dodo;dur={:.3}",
        own.as_secs_f64() * 1000.0,
        dodo.as_secs_f64() * 1000.0
    );
    Ok(([("server-timing", timing)], body).into_response())
}

async fn status(State(state): State<AppState>, Path(token): Path<String>) -> Reply {
    check_token(&token)?;
    let v = offers::peek(&state, &token).await?;
    // Paid, with a next offer open: where to send the customer next.
    let next = v.next_token.map(|t| state.offer_url(&t));
    Ok(Json(json!({
        "state": v.state, "failure_code": v.failure_code, "failure_message": v.failure_message,
        "fallback_url": v.fallback_url, "next_offer_url": next,
    })))
}

async fn decline(State(state): State<AppState>, Path(token): Path<String>) -> Reply {
    check_token(&token)?;
    let v = offers::decline(&state, &token).await?;
    let next = v.next_token.map(|t| state.offer_url(&t));
    Ok(Json(json!({ "state": v.state, "next_offer_url": next })))
}

#[derive(Deserialize)]
struct UsageEvent {
    customer_id: String,
    product_id: String,
    event: String,
    /// The subscription the moment concerns; a plan is then offered as a change of it.
    #[serde(default)]
    subscription_id: Option<String>,
}

async fn usage_event(State(state): State<AppState>, body: axum::body::Bytes) -> Reply {
    let e: UsageEvent = serde_json::from_slice(&body).map_err(|e| {
        AppError::new(
            ErrorCode::BadRequest,
            format!("Body must be JSON {{customer_id, product_id, event}}: {e}"),
        )
    })?;
    check_id(&e.customer_id, "cus_", "customer_id")?;
    if let Some(s) = &e.subscription_id {
        check_id(s, "sub_", "subscription_id")?;
    }
    let timing = match Timing::parse(&e.event) {
        Some(t) if t != Timing::PostPurchase => t,
        _ => {
            return Err(AppError::new(
                ErrorCode::BadRequest,
                "event must be usage_milestone, near_plan_limit or onboarding_complete (purchases arrive by webhook).",
            )
            .into())
        }
    };
    let reported = offers::report_event(
        &state,
        &e.customer_id,
        &e.product_id,
        e.subscription_id.as_deref(),
        timing,
    )
    .await?;
    Ok(Json(match reported {
        offers::Reported::Offer(t) => json!({
            "offer_created": true,
            "offer_url": state.offer_url(&t),
        }),
        offers::Reported::NoRule => json!({ "offer_created": false, "offer_url": null }),
        offers::Reported::Refused(why) => json!({
            "offer_created": false, "offer_url": null, "reason": why.as_str(),
        }),
    }))
}

#[derive(Deserialize)]
struct CancelRequest {
    reason: String,
    #[serde(default)]
    comment: String,
}

/// A subscriber asks to cancel: a save offer, or the cancellation at the period end.
async fn cancel_subscription(
    State(state): State<AppState>,
    Path(subscription_id): Path<String>,
    body: axum::body::Bytes,
) -> Reply {
    check_id(&subscription_id, "sub_", "subscription_id")?;
    let r: CancelRequest = serde_json::from_slice(&body).map_err(|e| {
        AppError::new(
            ErrorCode::BadRequest,
            format!("Body must be JSON {{reason, comment}}: {e}"),
        )
    })?;
    Ok(Json(
        match offers::request_cancel(&state, &subscription_id, &r.reason, &r.comment).await? {
            offers::CancelOutcome::Offer(t) => json!({
                "offer": { "token": t, "url": state.offer_url(&t) },
                "cancelled": false,
            }),
            offers::CancelOutcome::Cancelled => json!({ "offer": null, "cancelled": true }),
        },
    ))
}

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/customers/{customer_id}/offer", get(open_offer))
        .route(
            "/subscriptions/{subscription_id}/cancel",
            post(cancel_subscription),
        )
        .route("/offers/{token}", get(status))
        .route("/offers/{token}/accept", post(accept))
        .route("/offers/{token}/decline", post(decline))
        .route("/events", post(usage_event))
        .route_layer(axum::middleware::from_fn_with_state(state, require_token))
}

/// Creates a token; the raw value is returned once and only its hash is stored.
pub async fn create_token(
    db: &super::db::Db,
    actor: &crate::domain::role::CurrentUser,
    name: &str,
) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(AppError::validation(vec![
            crate::domain::error::FieldError::new(
                "name",
                "required",
                "Give the token a name (up to 60 characters), e.g. \"production backend\".",
            ),
        ]));
    }
    let raw = super::ids::new_id("upk");
    let id = super::ids::new_id("tok");
    let mut tx = super::db::begin_write(db).await?;
    sqlx::query("INSERT INTO api_tokens (id, name, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(name)
        .bind(token_hash(&raw))
        .bind(&actor.email)
        .bind(super::ids::now_ms())
        .execute(&mut *tx)
        .await?;
    super::audit::record(
        &mut tx,
        actor,
        "api_token",
        &id,
        "create",
        None,
        Some(&json!({ "name": name })),
    )
    .await?;
    tx.commit().await?;
    Ok(raw)
}

pub async fn revoke_token(
    db: &super::db::Db,
    actor: &crate::domain::role::CurrentUser,
    id: &str,
) -> Result<(), AppError> {
    let mut tx = super::db::begin_write(db).await?;
    let n =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(super::ids::now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if n == 0 {
        return Err(AppError::new(
            ErrorCode::NotFound,
            "No active token with this id; it may already be revoked.",
        ));
    }
    super::audit::record(
        &mut tx,
        actor,
        "api_token",
        id,
        "revoke",
        None::<&serde_json::Value>,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list_tokens(
    db: &super::db::Db,
) -> Result<Vec<crate::domain::offer::ApiToken>, AppError> {
    let rows = sqlx::query("SELECT id, name, created_by, created_at, revoked_at FROM api_tokens ORDER BY created_at DESC").fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            Ok(crate::domain::offer::ApiToken {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                created_by: r.try_get("created_by")?,
                created_at: r.try_get("created_at")?,
                revoked_at: r.try_get("revoked_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}
