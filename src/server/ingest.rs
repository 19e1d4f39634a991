//! Group commit of verified webhook deliveries: each is stored once (keyed by `webhook-id`)
//! and applied in the same transaction, by the services' [`Apply`] function. This engine
//! knows no service, so `state` can hold it without reaching the offer engine.
use super::db::{begin_write, Db};
use super::dodo::Dodo;
use super::ids::now_ms;
use super::rollups;
use crate::domain::rule::ProductSummary;
use axum::body::Bytes;
use serde_json::Value;
use sqlx::Row;
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// One verified delivery waiting to be applied.
pub struct Job {
    pub webhook_id: String,
    pub event_type: String,
    pub data: Value,
    pub raw: Bytes,
}

/// Applies a batch's new events (duplicates already left out) inside the delivery
/// transaction: the services' side, given to [`Ingest::start`] so this engine knows none of
/// them (`server::dispatch::apply`).
pub type Apply = for<'t> fn(
    &'t mut crate::server::db::WriteTx,
    &'t [ProductSummary],
    Vec<&'t Job>,
) -> Pin<Box<dyn Future<Output = Result<(), sqlx::Error>> + Send + 't>>;

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
    pub fn start(db: Db, dodo: Arc<Dodo>, workers: usize, apply: Apply) -> Self {
        let queues = (0..workers.max(1))
            .map(|_| {
                let (tx, rx) = mpsc::channel(4 * BATCH);
                tokio::spawn(worker(db.clone(), dodo.clone(), rx, apply));
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

async fn worker(db: Db, dodo: Arc<Dodo>, mut rx: mpsc::Receiver<(Job, Reply)>, apply: Apply) {
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
        match apply_all(&db, &products, &jobs, apply).await {
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
                    let r = apply_all(&db, &products, std::slice::from_ref(job), apply)
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
    apply: Apply,
) -> Result<Vec<bool>, sqlx::Error> {
    let mut tx = begin_write(db).await?;
    let (out, pending) = rollups::batch(apply_each(&mut tx, products, jobs, apply)).await;
    let out = out?;
    rollups::flush(&mut tx, pending).await?;
    tx.commit().await?;
    Ok(out)
}

/// Stores the batch's deliveries with one statement; returns the webhook ids stored now (the
/// others were delivered before: duplicates, applied once already).
async fn store_deliveries(
    tx: &mut crate::server::db::WriteTx,
    jobs: &[Job],
) -> Result<HashSet<String>, sqlx::Error> {
    let now = now_ms();
    let rows = if tx.is_postgres() {
        // One statement text whatever the batch size: PostgreSQL plans it once per connection,
        // where a VALUES list of each length is a new statement to parse and plan.
        let rows: Vec<Value> = jobs
            .iter()
            .map(|j| {
                serde_json::json!({
                    "w": j.webhook_id, "t": j.event_type, "b": String::from_utf8_lossy(&j.raw),
                })
            })
            .collect();
        sqlx::query(
            "INSERT INTO webhook_events (webhook_id, event_type, received_at, body) \
             SELECT x.w, x.t, $2, x.b FROM json_to_recordset($1::json) AS x(w text, t text, b text) \
             ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id",
        )
        .bind(Value::Array(rows).to_string())
        .bind(now)
        .fetch_all(&mut **tx)
        .await?
    } else {
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
        let mut q = sqlx::query(&sql);
        for job in jobs {
            q = q
                .bind(&job.webhook_id)
                .bind(&job.event_type)
                .bind(now)
                .bind(String::from_utf8_lossy(&job.raw).into_owned());
        }
        q.fetch_all(&mut **tx).await?
    };
    rows.iter().map(|r| r.try_get("webhook_id")).collect()
}

async fn apply_each(
    tx: &mut crate::server::db::WriteTx,
    products: &[ProductSummary],
    jobs: &[Job],
    apply: Apply,
) -> Result<Vec<bool>, sqlx::Error> {
    let mut new = store_deliveries(tx, jobs).await?;
    let mut out = Vec::with_capacity(jobs.len());
    let mut fresh = Vec::new();
    for job in jobs {
        // `remove`: a webhook id twice in one batch is applied once.
        let inserted = new.remove(job.webhook_id.as_str());
        out.push(inserted);
        if inserted {
            fresh.push(job);
        }
    }
    apply(tx, products, fresh).await?;
    Ok(out)
}
