//! `POST /webhooks/dodo`: verify (Standard Webhooks), deduplicate by `webhook-id`, store the raw
//! event and apply it in one transaction. A database failure answers 5xx so Dodo retries, and
//! the rollback leaves nothing half-applied (not even the dedup row).
use super::db::begin_write;
use super::db::Db;
use super::dodo::Dodo;
use super::ids::now_ms;
use super::offers;
use super::rollups;
use super::state::AppState;
use super::subscriptions::settle as plan_changes;
use crate::domain::rule::ProductSummary;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use sqlx::Row;
use standardwebhooks::{Webhook, WebhookError};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

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
        return reply(status, "rejected", msg);
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return reply(
            StatusCode::BAD_REQUEST,
            "bad_json",
            "Webhook body is not valid JSON.",
        );
    };
    let (Some(event_type), Some(data)) =
        (event.get("type").and_then(Value::as_str), event.get("data"))
    else {
        return reply(
            StatusCode::BAD_REQUEST,
            "bad_envelope",
            "Webhook body lacks type or data.",
        );
    };
    let webhook_id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let job = Job {
        webhook_id: webhook_id.to_string(),
        event_type: event_type.to_string(),
        data: data.clone(),
        raw: body.clone(),
    };
    match state.ingest.apply(job).await {
        Ok(true) => reply(StatusCode::OK, "applied", "Event applied."),
        Ok(false) => reply(StatusCode::OK, "duplicate", "Event already applied."),
        Err(e) => {
            tracing::error!(error = %e, webhook_id, "webhook not applied; Dodo will retry");
            reply(
                StatusCode::SERVICE_UNAVAILABLE,
                "retry",
                "Temporarily unable to apply the event; please retry.",
            )
        }
    }
}

/// One verified delivery waiting to be applied.
pub struct Job {
    webhook_id: String,
    event_type: String,
    data: Value,
    raw: Bytes,
}

type Reply = oneshot::Sender<Result<bool, String>>;

/// Group commit: deliveries that arrive together are applied in one transaction, so the cost
/// of a commit is shared. A batch that fails is retried one event per transaction, so one bad
/// event never fails the others. Routing by `webhook-id` keeps redeliveries in one queue.
#[derive(Clone)]
pub struct Ingest {
    queues: Arc<Vec<mpsc::Sender<(Job, Reply)>>>,
}

const BATCH: usize = 64;

impl Ingest {
    pub fn start(db: Db, dodo: Arc<Dodo>, workers: usize) -> Self {
        let queues = (0..workers.max(1))
            .map(|_| {
                let (tx, rx) = mpsc::channel(4 * BATCH);
                tokio::spawn(worker(db.clone(), dodo.clone(), rx));
                tx
            })
            .collect();
        Self {
            queues: Arc::new(queues),
        }
    }

    pub async fn apply(&self, job: Job) -> Result<bool, String> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        job.webhook_id.hash(&mut h);
        let queue = &self.queues[(h.finish() % self.queues.len() as u64) as usize];
        let (tx, rx) = oneshot::channel();
        queue
            .send((job, tx))
            .await
            .map_err(|_| "ingest stopped".to_string())?;
        rx.await.map_err(|_| "ingest stopped".to_string())?
    }
}

async fn worker(db: Db, dodo: Arc<Dodo>, mut rx: mpsc::Receiver<(Job, Reply)>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        // The catalogue (cached) is read before the write transaction: no network call while
        // the database lock is held.
        let products = if batch
            .iter()
            .any(|(j, _)| j.event_type == "payment.succeeded")
        {
            dodo.products()
                .await
                .map(|p| p.to_vec())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let (jobs, replies): (Vec<Job>, Vec<Reply>) = batch.into_iter().unzip();
        match apply_all(&db, &products, &jobs).await {
            Ok(results) => {
                for (reply, r) in replies.into_iter().zip(results) {
                    let _ = reply.send(Ok(r));
                }
            }
            Err(e) if jobs.len() == 1 => {
                let _ = replies
                    .into_iter()
                    .next()
                    .map(|r| r.send(Err(e.to_string())));
            }
            Err(_) => {
                for (job, reply) in jobs.iter().zip(replies) {
                    let r = apply_all(&db, &products, std::slice::from_ref(job))
                        .await
                        .map(|v| v[0])
                        .map_err(|e| e.to_string());
                    let _ = reply.send(r);
                }
            }
        }
    }
}

/// Stores and applies events in one transaction; `false` for those already applied.
async fn apply_all(
    db: &Db,
    products: &[ProductSummary],
    jobs: &[Job],
) -> Result<Vec<bool>, sqlx::Error> {
    let mut tx = begin_write(db).await?;
    let (out, pending) = rollups::batch(apply_each(&mut tx, products, jobs)).await;
    let out = out?;
    rollups::flush(&mut tx, pending).await?;
    tx.commit().await?;
    Ok(out)
}

/// Stores the batch's deliveries with one statement; returns the webhook ids stored now (the
/// others were delivered before: duplicates, applied once already).
async fn store_deliveries(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    jobs: &[Job],
) -> Result<HashSet<String>, sqlx::Error> {
    let rows: Vec<String> = (0..jobs.len())
        .map(|i| {
            let b = 4 * i;
            format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4)
        })
        .collect();
    let sql = format!(
        "INSERT INTO webhook_events (webhook_id, event_type, received_at, body) VALUES {} \
         ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id",
        rows.join(", ")
    );
    let now = now_ms();
    let mut q = sqlx::query(&sql);
    for job in jobs {
        q = q
            .bind(&job.webhook_id)
            .bind(&job.event_type)
            .bind(now)
            .bind(String::from_utf8_lossy(&job.raw).into_owned());
    }
    q.fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get("webhook_id"))
        .collect()
}

async fn apply_each(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    products: &[ProductSummary],
    jobs: &[Job],
) -> Result<Vec<bool>, sqlx::Error> {
    let mut out = Vec::with_capacity(jobs.len());
    let buyers: Vec<&str> = jobs
        .iter()
        .filter(|j| j.event_type == "payment.succeeded")
        .filter_map(|j| j.data.pointer("/customer/customer_id")?.as_str())
        .collect();
    let mut held = offers::open_holdouts(tx, &buyers).await?;
    let mut new = store_deliveries(tx, jobs).await?;
    for job in jobs {
        // `remove`: a webhook id twice in one batch is applied once.
        let inserted = new.remove(job.webhook_id.as_str());
        out.push(inserted);
        if !inserted {
            continue;
        }
        match job.event_type.as_str() {
            "payment.succeeded" => {
                offers::on_payment_succeeded(tx, products, &job.data, &mut held).await?;
                plan_changes::on_payment(tx, &job.data, true).await?
            }
            "payment.failed" => {
                offers::on_payment_failed(tx, &job.data).await?;
                plan_changes::on_payment(tx, &job.data, false).await?
            }
            "subscription.plan_changed" => {
                plan_changes::on_subscription(tx, &job.event_type, &job.data).await?
            }
            "subscription.on_hold" => {
                plan_changes::on_subscription(tx, &job.event_type, &job.data).await?;
                offers::on_subscription_ended(tx, &job.event_type, &job.data).await?
            }
            // Offers on a subscription that ended can no longer be accepted.
            "subscription.cancelled" | "subscription.expired" | "subscription.failed" => {
                offers::on_subscription_ended(tx, &job.event_type, &job.data).await?
            }
            "refund.succeeded" => offers::on_refund(tx, &job.data).await?,
            "refund.failed" => offers::on_refund_failed(tx, &job.data).await?,
            t if t.starts_with("dispute.") => offers::on_dispute(tx, t, &job.data).await?,
            // Stored as received; nothing else reacts to them.
            _ => {}
        }
    }
    Ok(out)
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
