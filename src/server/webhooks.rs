//! `POST /webhooks/dodo`: verify (Standard Webhooks), deduplicate by `webhook-id`, store the raw
//! event and apply it in one transaction. A database failure answers 5xx so Dodo retries, and
//! the rollback leaves nothing half-applied (not even the dedup row).
use super::ingest::{Job, Outcome};
use super::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use standardwebhooks::{Webhook, WebhookError};

/// What every event must have: its type, and its `data` (checked for valid JSON, not built:
/// see [`Job::new`]). Serde would also read this struct from a JSON array; [`is_object`]
/// keeps to Dodo's form, an object.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
    #[allow(dead_code)]
    data: serde::de::IgnoredAny,
}

/// Dodo's events are a few KB; anything this large is not one of them.
pub const MAX_BODY: usize = 256 * 1024;

fn reply(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "code": code, "message": message }))).into_response()
}

pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(verifier) = state.webhook.as_ref() else {
        return reply(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_configured",
            "Webhook secret not configured: set DODO_WEBHOOK_SECRET.",
        );
    };
    if body.len() > MAX_BODY {
        super::metrics::delivery("rejected", "too_large");
        return reply(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "Webhook body too large.",
        );
    }
    if let Err(e) = verifier.verify(&body, &headers) {
        let (status, msg) = match e {
            WebhookError::MissingHeader(_) | WebhookError::InvalidHeader(_) | WebhookError::InvalidTimestamp => {
                (StatusCode::BAD_REQUEST, "Missing or malformed webhook-id, webhook-timestamp or webhook-signature header.")
            }
            WebhookError::TimestampTooOldError | WebhookError::FutureTimestampError => {
                (StatusCode::UNAUTHORIZED, "Webhook timestamp outside the 5-minute tolerance; the delivery is stale or the clock is wrong.")
            }
            _ => (StatusCode::UNAUTHORIZED, "Webhook signature does not match; check DODO_WEBHOOK_SECRET."),
        };
        tracing::warn!(reason = %e, "webhook rejected");
        let reason = if status == StatusCode::BAD_REQUEST {
            "bad_headers"
        } else {
            "bad_signature_or_time"
        };
        super::metrics::delivery("rejected", reason);
        return reply(status, "rejected", msg);
    }
    // Only the envelope is checked here: `data` is parsed when the event is applied, and a
    // burst only stores the body (the applier parses it later).
    let event_type = match serde_json::from_slice::<Envelope>(&body) {
        Ok(e) if is_object(&body) => e.kind.into_owned(),
        Err(e) if !e.is_data() => {
            super::metrics::delivery("rejected", "bad_json");
            return reply(
                StatusCode::BAD_REQUEST,
                "bad_json",
                "Webhook body is not valid JSON.",
            );
        }
        _ => {
            super::metrics::delivery("rejected", "bad_envelope");
            return reply(
                StatusCode::BAD_REQUEST,
                "bad_envelope",
                "Webhook body lacks type or data.",
            );
        }
    };
    let webhook_id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let job = Job::new(webhook_id.to_string(), event_type, body);
    match state.ingest.apply(job).await {
        Ok(Outcome::Applied) => {
            super::metrics::delivery("applied", "");
            reply(StatusCode::OK, "applied", "Event applied.")
        }
        Ok(Outcome::Stored) => {
            super::metrics::delivery("stored", "");
            reply(
                StatusCode::OK,
                "stored",
                "Event stored; it is applied shortly.",
            )
        }
        Ok(Outcome::Duplicate) => {
            super::metrics::delivery("duplicate", "");
            reply(StatusCode::OK, "duplicate", "Event already applied.")
        }
        Err(e) => {
            super::metrics::delivery("retry", "");
            tracing::error!(error = %e, webhook_id, "webhook not applied; Dodo will retry");
            reply(
                StatusCode::SERVICE_UNAVAILABLE,
                "retry",
                "Temporarily unable to apply the event; please retry.",
            )
        }
    }
}

/// Whether a (valid) JSON text is an object.
fn is_object(json: &[u8]) -> bool {
    json.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// The verifier for incoming webhooks (none when no secret is configured).
pub fn verifier(secret: Option<&str>) -> Result<Option<Webhook>, String> {
    secret
        .map(|s| {
            Webhook::new(s)
                .map_err(|_| "DODO_WEBHOOK_SECRET must be whsec_ followed by base64".to_string())
        })
        .transpose()
}

/// A fresh `whsec_…` secret (for the sandbox, kept in the database).
pub fn new_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(b)
    )
}
