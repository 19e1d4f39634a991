//! Group commit of verified webhook deliveries: each is stored once (keyed by `webhook-id`)
//! and applied by the services' [`Apply`] function. This engine knows no service, so `state`
//! can hold it without reaching the offer engine.
//!
//! Normally a batch is stored and applied in one transaction before its 2xx. Under a burst
//! (deliveries queue up faster than they are applied) a batch is only stored — one statement,
//! committed before the 2xx, so the answer is still honest — and the inbox's applier applies
//! stored events in larger transactions, oldest first, once the burst has passed (or after
//! [`MAX_DEFER_MS`]); while any wait there, new deliveries queue behind them. Events
//! left unapplied by a crash are applied at the next start. Applying claims an event
//! (`applied` 0 → 1) in the transaction that applies it, so two instances never apply one
//! twice.
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
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Notify, OwnedSemaphorePermit, Semaphore};

/// One verified delivery waiting to be applied.
pub struct Job {
    pub webhook_id: String,
    pub event_type: String,
    /// The event's `data`: parsed from `raw` just before it is applied (a burst only stores
    /// `raw`); `Null` until then.
    pub data: Value,
    pub raw: Bytes,
}

impl Job {
    /// A delivery whose envelope was checked (valid JSON with `type` and `data`).
    pub fn new(webhook_id: String, event_type: String, raw: Bytes) -> Self {
        Self {
            webhook_id,
            event_type,
            data: Value::Null,
            raw,
        }
    }

    /// Parses `data` out of the body, to apply the event.
    fn load(mut self) -> Self {
        #[derive(serde::Deserialize)]
        struct Body {
            data: Value,
        }
        self.data = serde_json::from_slice::<Body>(&self.raw)
            .map(|b| b.data)
            .unwrap_or(Value::Null);
        self
    }
}

/// Applies a batch's new events (duplicates already left out) inside the delivery
/// transaction: the services' side, given to [`Ingest::start`] so this engine knows none of
/// them (`server::dispatch::apply`).
pub type Apply = for<'t> fn(
    &'t mut crate::server::db::WriteTx,
    &'t [ProductSummary],
    Vec<&'t Job>,
) -> Pin<Box<dyn Future<Output = Result<(), sqlx::Error>> + Send + 't>>;

/// What became of a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Stored and applied.
    Applied,
    /// Stored; the inbox's applier applies it shortly.
    Stored,
    /// Delivered before (applied, or waiting in the inbox).
    Duplicate,
}

type Reply = oneshot::Sender<Result<Outcome, String>>;

/// Group commit: deliveries that arrive together are applied in one transaction, so the cost
/// of a commit is shared. A batch that fails is retried one event per transaction, so one bad
/// event never fails the others. Outside a burst, routing by `webhook-id` keeps redeliveries in
/// one queue; in a burst (stored only, one queue) a redelivery racing its first copy is left
/// out by the table's key (`ON CONFLICT DO NOTHING` waits for the other insert's commit).
#[derive(Clone)]
pub struct Ingest {
    queues: Arc<Vec<mpsc::Sender<(Job, Reply)>>>,
    inbox: Arc<Inbox>,
}

const BATCH: usize = 64;
/// Events the inbox's applier takes per transaction.
const DRAIN: i64 = 512;
/// Deliveries waiting at once (across the workers) from which a burst goes through the inbox.
const BURST: usize = 48;
/// How long, at most, the applier lets stored events wait while a burst is still arriving: a
/// burst shorter than this is answered with the whole machine; in a longer one the applier
/// runs alongside, so offers are never more than this late for want of a turn.
const MAX_DEFER_MS: i64 = 5_000;
/// A burst is over once no batch has been stored for this long (ms). Deliveries waiting
/// (`in_flight`) alone said too early: between a batch's answers and the clients' next
/// requests it dips, and the applier, taking those moments, ran through the whole burst.
const QUIET_MS: i64 = 50;
/// Burst batches stored at once. One at a time, a burst's rate was the commit's latency (the
/// WAL flush) over the batch, with the CPU half idle; while one batch waits for its flush the
/// next is sent, and PostgreSQL flushes their commits together. Two, each filled (below),
/// stored more per second than four smaller ones.
const STORES: usize = 2;
/// A burst batch waits up to this many scheduler turns to hold [`FILL`] deliveries.
const FILL_TURNS: usize = 16;
const FILL: usize = 32;

/// What the workers and the inbox's applier share: events stored and not yet applied (this
/// process's count; the table is the truth), and the applier's wake-up.
struct Inbox {
    pending: AtomicUsize,
    wake: Notify,
    /// Deliveries waiting for their answer.
    in_flight: AtomicUsize,
    /// When the inbox last received events while empty (ms; 0: empty as far as we know).
    since: AtomicI64,
    /// When a burst batch was last stored (ms): a burst is still arriving while batches keep
    /// coming.
    last_stored: AtomicI64,
    /// Burst batches being stored: counted as the inbox's until stored, so a delivery that
    /// comes after them is not applied before them.
    storing: AtomicUsize,
    /// Burst batches stored at once (see [`STORES`]).
    stores: Arc<Semaphore>,
    /// Whether a burst may go through the inbox: on PostgreSQL, where storing and applying
    /// run side by side. SQLite has one writer: storing first and applying later is only
    /// more work for it, so there every batch is applied as it is stored.
    bursts: bool,
}

impl Inbox {
    /// A burst: many deliveries waiting at once, or events already in the inbox (new ones go
    /// behind them, in order).
    fn bursting(&self) -> bool {
        self.bursts
            && (self.in_flight.load(Ordering::Acquire) >= BURST
                || self.pending.load(Ordering::Acquire) > 0
                || self.storing.load(Ordering::Acquire) > 0)
    }
}

/// Counts a delivery in flight until it is answered (or its request dropped).
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Ingest {
    /// `bursts`: whether a burst may go through the inbox (PostgreSQL; see [`Inbox::bursts`]).
    pub fn start(db: Db, dodo: Arc<Dodo>, workers: usize, bursts: bool, apply: Apply) -> Self {
        let inbox = Arc::new(Inbox {
            pending: AtomicUsize::new(0),
            wake: Notify::new(),
            in_flight: AtomicUsize::new(0),
            since: AtomicI64::new(0),
            last_stored: AtomicI64::new(0),
            storing: AtomicUsize::new(0),
            stores: Arc::new(Semaphore::new(STORES)),
            bursts,
        });
        tokio::spawn(applier(db.clone(), dodo.clone(), inbox.clone(), apply));
        let queues = (0..workers.max(1))
            .map(|_| {
                let (tx, rx) = mpsc::channel(4 * BATCH);
                tokio::spawn(worker(db.clone(), dodo.clone(), rx, apply, inbox.clone()));
                tx
            })
            .collect();
        Self {
            queues: Arc::new(queues),
            inbox,
        }
    }

    pub async fn apply(&self, job: Job) -> Result<Outcome, String> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        job.webhook_id.hash(&mut h);
        // A burst is only stored: one queue takes all of it, so its batches (one statement
        // each) are as large as the deliveries waiting. Spread over the workers they were a
        // quarter of that, and the fixed cost per statement (round trip, commit, wake-ups)
        // bounded the rate.
        let queue = if self.inbox.bursting() {
            &self.queues[0]
        } else {
            &self.queues[(h.finish() % self.queues.len() as u64) as usize]
        };
        self.inbox.in_flight.fetch_add(1, Ordering::AcqRel);
        let _counted = InFlight(&self.inbox.in_flight);
        let (tx, rx) = oneshot::channel();
        queue
            .send((job, tx))
            .await
            .map_err(|_| "ingest stopped".to_string())?;
        rx.await.map_err(|_| "ingest stopped".to_string())?
    }
}

async fn worker(
    db: Db,
    dodo: Arc<Dodo>,
    mut rx: mpsc::Receiver<(Job, Reply)>,
    apply: Apply,
    inbox: Arc<Inbox>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        take_waiting(&mut batch, &mut rx);
        if inbox.bursting() {
            // Counted before the permit is awaited: from here the batch is the inbox's.
            inbox.storing.fetch_add(1, Ordering::AcqRel);
            // The semaphore is never closed: this cannot fail.
            let Ok(permit) = inbox.stores.clone().acquire_owned().await else {
                return;
            };
            // What arrived while the earlier batches were being stored goes with this one.
            take_waiting(&mut batch, &mut rx);
            // The answers to a stored batch go out together, so the moment a store ends only
            // a few deliveries are queued; a handful of turns lets the handlers already at
            // work queue theirs. Batches went from about 9 to about 27 deliveries, and
            // PostgreSQL's cost per row falls with the batch (one statement, one commit).
            for _ in 0..FILL_TURNS {
                if batch.len() >= FILL {
                    break;
                }
                tokio::task::yield_now().await;
                take_waiting(&mut batch, &mut rx);
            }
            tokio::spawn(store_burst(db.clone(), inbox.clone(), batch, permit));
            continue;
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
        let (jobs, replies): (Vec<Job>, Vec<Reply>) =
            batch.into_iter().map(|(j, r)| (j.load(), r)).unzip();
        match apply_all(&db, &products, &jobs, apply).await {
            Ok(results) => {
                for (reply, r) in replies.into_iter().zip(results) {
                    let _ = reply.send(Ok(applied(r)));
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
                        .map(|v| applied(v[0]))
                        .map_err(|e| e.to_string());
                    let _ = reply.send(r);
                }
            }
        }
    }
}

/// Adds the deliveries already waiting in the queue to `batch`, up to [`BATCH`].
fn take_waiting(batch: &mut Vec<(Job, Reply)>, rx: &mut mpsc::Receiver<(Job, Reply)>) {
    while batch.len() < BATCH {
        match rx.try_recv() {
            Ok(j) => batch.push(j),
            Err(_) => break,
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

fn applied(new: bool) -> Outcome {
    if new {
        Outcome::Applied
    } else {
        Outcome::Duplicate
    }
}

/// Stores a burst batch for the inbox's applier and answers its deliveries.
async fn store_burst(
    db: Db,
    inbox: Arc<Inbox>,
    batch: Vec<(Job, Reply)>,
    _permit: OwnedSemaphorePermit,
) {
    let (jobs, replies): (Vec<Job>, Vec<Reply>) = batch.into_iter().unzip();
    let stored = store_only(&db, &jobs).await;
    if let Ok(stored) = &stored {
        let n = stored.iter().filter(|s| **s).count();
        inbox.pending.fetch_add(n, Ordering::AcqRel);
        let now = now_ms();
        inbox.last_stored.store(now, Ordering::Release);
        let _ = inbox
            .since
            .compare_exchange(0, now, Ordering::AcqRel, Ordering::Acquire);
    }
    inbox.storing.fetch_sub(1, Ordering::AcqRel);
    inbox.wake.notify_one();
    match stored {
        Ok(stored) => {
            for (reply, r) in replies.into_iter().zip(stored) {
                let _ = reply.send(Ok(if r {
                    Outcome::Stored
                } else {
                    Outcome::Duplicate
                }));
            }
        }
        Err(e) => {
            for reply in replies {
                let _ = reply.send(Err(e.to_string()));
            }
        }
    }
}

/// Stores deliveries for the inbox's applier; `false` for duplicates. One statement on its
/// own (PostgreSQL commits it before answering, durable with `synchronous_commit` on): no
/// BEGIN and COMMIT round trips around it. Only PostgreSQL stores for later (see
/// [`Inbox::bursts`]).
async fn store_only(db: &Db, jobs: &[Job]) -> Result<Vec<bool>, sqlx::Error> {
    let mut conn = db.acquire().await?;
    let mut new = insert_pg(&mut conn, jobs, false).await?;
    Ok(jobs
        .iter()
        .map(|j| new.remove(j.webhook_id.as_str()))
        .collect())
}

/// The inbox's applier: at start (events a crash left), and whenever a worker stored some.
///
/// Receiving comes first: while a burst is still arriving, applying would take the CPU and
/// database time that answering needs (a slow answer is a delivery Dodo sends again), so the
/// applier waits for the burst to end, or for the oldest stored event to have waited
/// [`MAX_DEFER_MS`]; from then on it applies until the inbox is empty.
async fn applier(db: Db, dodo: Arc<Dodo>, inbox: Arc<Inbox>, apply: Apply) {
    loop {
        while !may_apply(
            inbox.bursts,
            inbox.in_flight.load(Ordering::Acquire),
            inbox.since.load(Ordering::Acquire),
            inbox.last_stored.load(Ordering::Acquire),
            now_ms(),
        ) {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        match drain(&db, &dodo, apply, DRAIN).await {
            Ok(0) => {
                inbox.pending.store(0, Ordering::Release);
                inbox.since.store(0, Ordering::Release);
                if inbox.bursts {
                    // Woken by a worker; the timeout also finds events another instance
                    // stored and could not apply (it stopped).
                    let _ = tokio::time::timeout(
                        std::time::Duration::from_secs(1),
                        inbox.wake.notified(),
                    )
                    .await;
                } else {
                    // SQLite stores nothing for later: only what a start found needed this.
                    inbox.wake.notified().await;
                }
            }
            Ok(n) => {
                let _ = inbox
                    .pending
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |p| {
                        Some(p.saturating_sub(n))
                    });
            }
            Err(e) => {
                // One event that cannot be applied must not hold the others: one at a time,
                // each left for a later try if it fails again.
                tracing::warn!(error = %e, "inbox batch failed; applying its events one by one");
                let mut applied = 0;
                for _ in 0..DRAIN {
                    match drain(&db, &dodo, apply, 1).await {
                        Ok(0) => break,
                        Ok(n) => applied += n,
                        Err(e) => {
                            tracing::error!(error = %e, "inbox event not applied; retrying later");
                            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                            break;
                        }
                    }
                }
                let _ = inbox
                    .pending
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |p| {
                        Some(p.saturating_sub(applied))
                    });
            }
        }
    }
}

/// Whether the applier may apply now: not while a burst is still arriving (on PostgreSQL:
/// `in_flight` at [`BURST`] or more, or a batch stored within [`QUIET_MS`] of `now`), unless
/// the oldest stored event (`since`, ms; 0 when the inbox was found empty) has waited
/// [`MAX_DEFER_MS`].
fn may_apply(bursts: bool, in_flight: usize, since: i64, last_stored: i64, now: i64) -> bool {
    !bursts
        || since == 0
        || now - since >= MAX_DEFER_MS
        || (in_flight < BURST && now - last_stored >= QUIET_MS)
}

/// Claims and applies up to `limit` stored events, oldest first, in one transaction.
async fn drain(db: &Db, dodo: &Dodo, apply: Apply, limit: i64) -> Result<usize, sqlx::Error> {
    // A read first: an empty inbox (the usual case) never takes a writer's turn.
    let waiting: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(1 AS BIGINT) FROM webhook_events WHERE applied = 0 LIMIT 1",
    )
    .fetch_optional(db)
    .await?;
    if waiting.is_none() {
        return Ok(0);
    }
    let products = dodo
        .products()
        .await
        .map(|p| p.to_vec())
        .unwrap_or_default();
    let mut tx = begin_write(db).await?;
    // The claim is the guard: a second applier (another instance) waits on these rows and
    // then finds them applied.
    let rows = sqlx::query(
        "UPDATE webhook_events SET applied = 1 WHERE applied = 0 AND webhook_id IN \
         (SELECT webhook_id FROM webhook_events WHERE applied = 0 \
          ORDER BY received_at, webhook_id LIMIT $1) \
         RETURNING webhook_id, event_type, body, received_at",
    )
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut jobs = Vec::with_capacity(rows.len());
    let mut order = Vec::with_capacity(rows.len());
    for r in &rows {
        let body: String = r.try_get("body")?;
        order.push(r.try_get::<i64, _>("received_at")?);
        jobs.push(
            Job::new(
                r.try_get("webhook_id")?,
                r.try_get("event_type")?,
                Bytes::from(body),
            )
            .load(),
        );
    }
    // RETURNING does not keep the subquery's order.
    let mut idx: Vec<usize> = (0..jobs.len()).collect();
    idx.sort_by(|a, b| (order[*a], &jobs[*a].webhook_id).cmp(&(order[*b], &jobs[*b].webhook_id)));
    let ordered: Vec<&Job> = idx.iter().map(|i| &jobs[*i]).collect();
    let n = ordered.len();
    let (res, pending) = rollups::batch(apply(&mut tx, &products, ordered)).await;
    res?;
    rollups::flush(&mut tx, pending).await?;
    tx.commit().await?;
    Ok(n)
}

/// Stores the batch's deliveries with one statement (`applied`: in this transaction, or left
/// for the inbox's applier); returns the webhook ids stored now (the others were delivered
/// before: duplicates, applied once or waiting in the inbox).
async fn store_deliveries(
    tx: &mut crate::server::db::WriteTx,
    jobs: &[Job],
    applied: bool,
) -> Result<HashSet<String>, sqlx::Error> {
    if tx.is_postgres() {
        return insert_pg(tx, jobs, applied).await;
    }
    let rows: Vec<String> = (0..jobs.len())
        .map(|i| {
            let b = 5 * i;
            format!(
                "(${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5
            )
        })
        .collect();
    let (now, applied) = (now_ms(), applied as i64);
    let sql = format!(
        "INSERT INTO webhook_events (webhook_id, event_type, received_at, body, applied) VALUES {} \
         ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id",
        rows.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for job in jobs {
        q = q
            .bind(&job.webhook_id)
            .bind(&job.event_type)
            .bind(now)
            .bind(String::from_utf8_lossy(&job.raw).into_owned())
            .bind(applied);
    }
    let rows = q.fetch_all(&mut **tx).await?;
    rows.iter().map(|r| r.try_get("webhook_id")).collect()
}

/// [`store_deliveries`] on PostgreSQL: one statement text whatever the batch size (planned
/// once per connection, where a VALUES list of each length is a new statement to parse and
/// plan).
async fn insert_pg(
    conn: &mut sqlx::AnyConnection,
    jobs: &[Job],
    applied: bool,
) -> Result<HashSet<String>, sqlx::Error> {
    // Borrowed rows: a burst's bodies are written once, straight into the statement's text.
    #[derive(serde::Serialize)]
    struct Row<'a> {
        w: &'a str,
        t: &'a str,
        b: std::borrow::Cow<'a, str>,
    }
    let rows: Vec<Row> = jobs
        .iter()
        .map(|j| Row {
            w: &j.webhook_id,
            t: &j.event_type,
            b: String::from_utf8_lossy(&j.raw),
        })
        .collect();
    let rows = serde_json::to_string(&rows).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let rows = sqlx::query(
        "INSERT INTO webhook_events (webhook_id, event_type, received_at, body, applied) \
         SELECT x.w, x.t, $2, x.b, $3 FROM json_to_recordset($1::json) AS x(w text, t text, b text) \
         ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id",
    )
    .bind(rows)
    .bind(now_ms())
    .bind(applied as i64)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| r.try_get("webhook_id")).collect()
}

async fn apply_each(
    tx: &mut crate::server::db::WriteTx,
    products: &[ProductSummary],
    jobs: &[Job],
    apply: Apply,
) -> Result<Vec<bool>, sqlx::Error> {
    let mut new = store_deliveries(tx, jobs, true).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_applier_waits_for_a_burst_but_never_longer_than_the_limit() {
        let t = 1_000_000;
        let quiet = t - QUIET_MS;
        // No burst: few waiting, nothing stored for a while. Apply.
        assert!(may_apply(true, BURST - 1, t, quiet, t));
        // Many waiting: a burst that has just begun. Wait.
        assert!(!may_apply(true, BURST, t, quiet, t));
        assert!(!may_apply(true, 500, t, quiet, t + MAX_DEFER_MS - 1));
        // Few waiting for a moment, but batches still being stored: the burst goes on.
        assert!(!may_apply(true, 3, t, t - 1, t));
        assert!(!may_apply(true, 0, t, t - QUIET_MS + 1, t));
        // The oldest stored event has waited the limit: apply, burst or not.
        assert!(may_apply(true, 500, t, t, t + MAX_DEFER_MS));
        // Nothing stored by a burst (events a crash left): apply.
        assert!(may_apply(true, 500, 0, t, t));
        // SQLite stores nothing for later: never held back.
        assert!(may_apply(false, 500, t, t, t));
    }
}
