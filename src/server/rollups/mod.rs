//! Offer events and the rollups they feed. Every event goes through `record`, inside the caller's
//! transaction, so an event and its rollup change commit or roll back together (a webhook batch
//! sums its changes and writes them at its end, still inside its transaction: see `batch`).
use crate::domain::analytics::zone::{quarter_of, GRAINS};
use crate::domain::analytics::{Counts, DayTotal, DeclineCount, EventKind, Rollup, Variant};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;

use super::ids::new_id;

mod range;
use crate::server::sql::{insert, upsert, Arg};
pub use range::load_range;

const COUNTERS: [&str; 13] = [
    "created",
    "shown",
    "accepted",
    "paid",
    "declined",
    "failed",
    "expired",
    "fallback",
    "refunds",
    "revenue",
    "refunded",
    "revenue_sq",
    "trigger_paid",
];

use crate::server::db::WriteTx as Tx;

const EVENT_COLUMNS: [(&str, &str); 8] = [
    ("id", "text"),
    ("offer_id", "text"),
    ("rule_id", "text"),
    ("kind", "text"),
    ("at", "bigint"),
    ("amount", "bigint"),
    ("currency", "text"),
    ("detail", "text"),
];

/// The offer (or hold-out record) an event belongs to.
pub struct Subject<'a> {
    pub id: &'a str,
    pub rule_id: &'a str,
    pub variant: Variant,
    pub currency: &'a str,
    pub trigger_amount: i64,
}

/// Stores one event and adds it to its day's rollups.
pub async fn record(
    tx: &mut Tx,
    s: &Subject<'_>,
    kind: EventKind,
    amount: Option<i64>,
    detail: Option<&str>,
    at: i64,
) -> Result<(), sqlx::Error> {
    let net_before = if kind.moves_money() {
        net_revenue(&mut **tx, s.id).await?
    } else {
        0
    };
    let row = || {
        vec![
            Arg::Text(new_id("oev")),
            Arg::Text(s.id.into()),
            Arg::Text(s.rule_id.into()),
            Arg::Text(kind.as_str().into()),
            Arg::Int(at),
            Arg::OptInt(amount),
            Arg::OptText(amount.map(|_| s.currency.to_string())),
            Arg::OptText(detail.map(str::to_string)),
        ]
    };
    // In a webhook batch, a `created` event is written with the batch's others at its end:
    // nothing reads it back before then (settling and refunds read money moves only).
    let deferred = kind == EventKind::Created
        && BATCH
            .try_with(|b| b.borrow_mut().events.push(row()))
            .is_ok();
    if !deferred {
        insert(tx, "offer_events", &EVENT_COLUMNS, vec![row()]).await?;
    }
    let c = Counts::for_event(kind, amount.unwrap_or(0), s.trigger_amount, net_before);
    let code = (kind == EventKind::Failed).then(|| detail.unwrap_or("UNKNOWN_ERROR"));
    let mut one = Pending::default();
    let in_batch = BATCH
        .try_with(|b| b.borrow_mut().add(s, at, &c, code))
        .is_ok();
    if !in_batch {
        one.add(s, at, &c, code);
        flush(tx, one).await?;
    }
    Ok(())
}

/// A rollup table's time bucket (see `domain::analytics::zone::GRAINS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grain {
    Day,
    FourHours,
    Hour,
    Quarter,
}

impl Grain {
    pub const ALL: [Grain; 4] = [Grain::Day, Grain::FourHours, Grain::Hour, Grain::Quarter];

    /// Quarter-hours per bucket (`ALL` is in the order of the domain's `GRAINS`).
    pub fn size(self) -> i64 {
        GRAINS[self as usize]
    }

    /// The grain whose buckets hold `size` quarters.
    pub fn of_size(size: i64) -> Grain {
        Grain::ALL
            .into_iter()
            .find(|g| g.size() == size)
            .unwrap_or(Grain::Quarter)
    }

    pub fn bucket(self, at: i64) -> i64 {
        quarter_of(at).div_euclid(self.size())
    }

    /// (offer table, decline table, trend table, bucket column)
    pub fn tables(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Grain::Day => ("offer_rollups", "decline_rollups", "trend_rollups", "day"),
            Grain::FourHours => (
                "offer_rollups_h4",
                "decline_rollups_h4",
                "trend_rollups_h4",
                "h4",
            ),
            Grain::Hour => (
                "offer_rollups_h",
                "decline_rollups_h",
                "trend_rollups_h",
                "h",
            ),
            Grain::Quarter => (
                "offer_rollups_q",
                "decline_rollups_q",
                "trend_rollups_q",
                "q",
            ),
        }
    }
}

/// Rollup changes summed over a batch of events, keyed in the order they are written.
#[derive(Default)]
pub struct Pending {
    /// Offer events waiting for the batch's end (see `record`).
    events: Vec<Vec<Arg>>,
    rollups: BTreeMap<(Grain, i64, String, Variant, String), Counts>,
    declines: BTreeMap<(Grain, i64, String, String), i64>,
    trend: BTreeMap<(Grain, i64, String), (i64, i64, i64)>,
}

impl Pending {
    fn add(&mut self, s: &Subject<'_>, at: i64, c: &Counts, code: Option<&str>) {
        for g in Grain::ALL {
            let b = g.bucket(at);
            self.put(g, b, s.rule_id, s.variant, s.currency, c);
            if let Some(code) = code {
                *self
                    .declines
                    .entry((g, b, s.rule_id.into(), code.into()))
                    .or_default() += 1;
            }
        }
    }

    /// Adds `c` to one bucket's rollup and, unless it is the hold-out's or moves none of the
    /// trend's series, to the trend.
    fn put(
        &mut self,
        g: Grain,
        b: i64,
        rule_id: &str,
        variant: Variant,
        currency: &str,
        c: &Counts,
    ) {
        self.rollups
            .entry((g, b, rule_id.into(), variant, currency.into()))
            .or_default()
            .add(c);
        let net = c.net_revenue();
        if variant != Variant::Holdout && (c.shown != 0 || c.paid != 0 || net != 0) {
            let t = self.trend.entry((g, b, currency.into())).or_default();
            *t = (t.0 + c.shown, t.1 + c.paid, t.2 + net);
        }
    }
}

tokio::task_local! {
    /// Set while a webhook batch is applied (see `batch`).
    static BATCH: RefCell<Pending>;
}

/// Runs `work` (which records events in a transaction) with its rollup changes summed instead
/// of written per event; the caller writes them with `flush` just before it commits. A batch
/// of 64 purchases of one product then updates its rollup row once, at the end: fewer
/// statements, and on PostgreSQL the hot row is locked only for the commit, not for the whole
/// batch (concurrent batches would otherwise queue behind each other on it).
pub async fn batch<T>(work: impl Future<Output = T>) -> (T, Pending) {
    BATCH
        .scope(RefCell::new(Pending::default()), async {
            let out = work.await;
            (out, BATCH.with(|b| b.take()))
        })
        .await
}

/// Writes a batch's summed rollup changes into `tx`: one statement per table (not per row),
/// in key order (the same order in every transaction, so concurrent batches cannot deadlock
/// on each other's rows).
pub async fn flush(tx: &mut Tx, p: Pending) -> Result<(), sqlx::Error> {
    insert(tx, "offer_events", &EVENT_COLUMNS, p.events).await?;
    for g in Grain::ALL {
        let (offers, declines, trend, col) = g.tables();
        let rows = p
            .rollups
            .iter()
            .filter(|(k, _)| k.0 == g)
            .map(|((_, b, rule_id, variant, currency), c)| {
                let mut row = vec![
                    Arg::Int(*b),
                    Arg::Text(rule_id.clone()),
                    Arg::Text(variant.as_str().into()),
                    Arg::Text(currency.clone()),
                ];
                row.extend(counter_values(c).map(Arg::Int));
                row
            })
            .collect();
        let keys = [col, "rule_id", "variant", "currency"];
        upsert(tx, offers, &keys, &COUNTERS, rows).await?;
        let rows = p
            .declines
            .iter()
            .filter(|(k, _)| k.0 == g)
            .map(|((_, b, rule_id, code), n)| {
                vec![
                    Arg::Int(*b),
                    Arg::Text(rule_id.clone()),
                    Arg::Text(code.clone()),
                    Arg::Int(*n),
                ]
            })
            .collect();
        upsert(tx, declines, &[col, "rule_id", "code"], &["n"], rows).await?;
        let rows = p
            .trend
            .iter()
            .filter(|(k, _)| k.0 == g)
            .map(|((_, b, currency), (shown, paid, revenue))| {
                vec![
                    Arg::Int(*b),
                    Arg::Text(currency.clone()),
                    Arg::Int(*shown),
                    Arg::Int(*paid),
                    Arg::Int(*revenue),
                ]
            })
            .collect();
        let series = ["shown", "paid", "revenue"];
        upsert(tx, trend, &[col, "currency"], &series, rows).await?;
    }
    Ok(())
}

/// `c` in the order of `COUNTERS`.
fn counter_values(c: &Counts) -> [i64; 13] {
    [
        c.created,
        c.shown,
        c.accepted,
        c.paid,
        c.declined,
        c.failed,
        c.expired,
        c.fallback,
        c.refunds,
        c.revenue,
        c.refunded,
        c.revenue_sq,
        c.trigger_paid,
    ]
}

/// Paid minus refunded (plus refunds that failed) so far for one offer.
async fn net_revenue<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    offer_id: &str,
) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'refunded' THEN -amount ELSE amount END), 0) AS BIGINT) AS net \
         FROM offer_events WHERE offer_id = $1 AND kind IN ('paid', 'refunded', 'refund_failed') AND amount IS NOT NULL",
    )
    .bind(offer_id)
    .fetch_one(ex)
    .await?;
    row.try_get("net")
}

fn variant_of(r: &AnyRow) -> Result<Variant, sqlx::Error> {
    let v: String = r.try_get("variant")?;
    Variant::parse(&v).ok_or_else(|| sqlx::Error::Decode("unknown variant".into()))
}

fn counts_of(r: &AnyRow) -> Result<Counts, sqlx::Error> {
    Ok(Counts {
        created: r.try_get("created")?,
        shown: r.try_get("shown")?,
        accepted: r.try_get("accepted")?,
        paid: r.try_get("paid")?,
        declined: r.try_get("declined")?,
        failed: r.try_get("failed")?,
        expired: r.try_get("expired")?,
        fallback: r.try_get("fallback")?,
        refunds: r.try_get("refunds")?,
        revenue: r.try_get("revenue")?,
        refunded: r.try_get("refunded")?,
        revenue_sq: r.try_get("revenue_sq")?,
        trigger_paid: r.try_get("trigger_paid")?,
    })
}

fn rollup_from(r: &AnyRow, col: &str) -> Result<Rollup, sqlx::Error> {
    Ok(Rollup {
        bucket: r.try_get(col)?,
        rule_id: r.try_get("rule_id")?,
        variant: variant_of(r)?,
        currency: r.try_get("currency")?,
        counts: counts_of(r)?,
    })
}

/// Every stored row of one grain, as it is (checks compare them with `recompute`, and the
/// page's sums with `domain::analytics::range_data` over the quarter rows).
pub async fn load(
    db: &super::db::Db,
    grain: Grain,
) -> Result<(Vec<Rollup>, Vec<DeclineCount>), sqlx::Error> {
    let (offers, declines, _, col) = grain.tables();
    let rows = sqlx::query(&format!("SELECT * FROM {offers}"))
        .fetch_all(db)
        .await?;
    let rollups = rows
        .iter()
        .map(|r| rollup_from(r, col))
        .collect::<Result<_, _>>()?;
    let rows = sqlx::query(&format!("SELECT {col}, rule_id, code, n FROM {declines}"))
        .fetch_all(db)
        .await?;
    let declines = rows
        .iter()
        .map(|r| {
            Ok(DeclineCount {
                bucket: r.try_get(col)?,
                rule_id: r.try_get("rule_id")?,
                code: r.try_get("code")?,
                count: r.try_get("n")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok((rollups, declines))
}

/// The stored trend rows of one grain (`day` is the bucket).
pub async fn load_trend(db: &super::db::Db, grain: Grain) -> Result<Vec<DayTotal>, sqlx::Error> {
    let (_, _, t, col) = grain.tables();
    sqlx::query(&format!(
        "SELECT {col}, currency, shown, paid, revenue FROM {t}"
    ))
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| day_total(r, col))
    .collect()
}

fn day_total(r: &AnyRow, col: &str) -> Result<DayTotal, sqlx::Error> {
    Ok(DayTotal {
        day: r.try_get(col)?,
        currency: r.try_get("currency")?,
        shown: r.try_get("shown")?,
        paid: r.try_get("paid")?,
        revenue: r.try_get("revenue")?,
    })
}

/// Recomputes every rollup of one grain from the raw events, in the order they happened. Used
/// to check the incremental rollups (tests) and to fill the sub-day tables of a database from
/// before they existed.
pub async fn recompute(
    db: &super::db::Db,
    grain: Grain,
) -> Result<(Vec<Rollup>, Vec<DeclineCount>), sqlx::Error> {
    use std::collections::{BTreeMap, HashMap};
    let rows = sqlx::query(
        "SELECT e.offer_id, e.rule_id, e.kind, e.at, e.amount, e.detail, \
         COALESCE(o.variant, 'holdout') AS variant, COALESCE(o.currency, h.currency) AS currency, \
         COALESCE(o.trigger_amount, 0) AS trigger_amount \
         FROM offer_events e LEFT JOIN offers o ON o.id = e.offer_id LEFT JOIN holdouts h ON h.id = e.offer_id \
         ORDER BY e.at, e.id",
    )
    .fetch_all(db)
    .await?;
    let mut net: HashMap<String, i64> = HashMap::new();
    let mut rollups: BTreeMap<(i64, String, String, String), Counts> = BTreeMap::new();
    let mut declines: BTreeMap<(i64, String, String), i64> = BTreeMap::new();
    for r in &rows {
        let kind: String = r.try_get("kind")?;
        let Some(kind) = EventKind::parse(&kind) else {
            continue;
        };
        let offer_id: String = r.try_get("offer_id")?;
        let rule_id: String = r.try_get("rule_id")?;
        let at: i64 = r.try_get("at")?;
        let amount: Option<i64> = r.try_get("amount")?;
        let amount = amount.unwrap_or(0);
        let before = net.get(&offer_id).copied().unwrap_or(0);
        let c = Counts::for_event(kind, amount, r.try_get("trigger_amount")?, before);
        if kind.moves_money() {
            net.insert(offer_id.clone(), before + c.revenue - c.refunded);
        }
        rollups
            .entry((
                grain.bucket(at),
                rule_id.clone(),
                r.try_get("variant")?,
                r.try_get("currency")?,
            ))
            .or_default()
            .add(&c);
        if kind == EventKind::Failed {
            let detail: Option<String> = r.try_get("detail")?;
            *declines
                .entry((
                    grain.bucket(at),
                    rule_id,
                    detail.unwrap_or_else(|| "UNKNOWN_ERROR".into()),
                ))
                .or_default() += 1;
        }
    }
    let rollups = rollups
        .into_iter()
        .map(|((bucket, rule_id, variant, currency), counts)| Rollup {
            bucket,
            rule_id,
            variant: Variant::parse(&variant).unwrap_or(Variant::A),
            currency,
            counts,
        })
        .collect();
    let declines = declines
        .into_iter()
        .map(|((bucket, rule_id, code), count)| DeclineCount {
            bucket,
            rule_id,
            code,
            count,
        })
        .collect();
    Ok((rollups, declines))
}

/// Fills the sub-day tables (four hours, hour, quarter, and every trend table) of a database
/// whose events predate them (once, at start-up): the day tables already hold those events.
/// The check and the writes share one write transaction (with the table locked on
/// PostgreSQL), so two instances starting together cannot both fill them.
pub async fn backfill_quarters(db: &super::db::Db, postgres: bool) -> Result<(), sqlx::Error> {
    let mut tx = super::db::begin_write(db).await?;
    if postgres {
        sqlx::query("LOCK TABLE offer_rollups_q IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    let days = sqlx::query("SELECT 1 AS one FROM offer_rollups LIMIT 1")
        .fetch_optional(&mut *tx)
        .await?;
    let quarters = sqlx::query("SELECT 1 AS one FROM offer_rollups_q LIMIT 1")
        .fetch_optional(&mut *tx)
        .await?;
    if days.is_none() || quarters.is_some() {
        return Ok(());
    }
    let (rollups, declines) = recompute(db, Grain::Quarter).await?;
    let mut p = Pending::default();
    for r in &rollups {
        for g in Grain::ALL {
            let b = r.bucket.div_euclid(g.size());
            p.put(g, b, &r.rule_id, r.variant, &r.currency, &r.counts);
        }
    }
    for d in &declines {
        for g in Grain::ALL {
            *p.declines
                .entry((
                    g,
                    d.bucket.div_euclid(g.size()),
                    d.rule_id.clone(),
                    d.code.clone(),
                ))
                .or_default() += d.count;
        }
    }
    // The day tables hold these events already; only the day trend is new.
    p.rollups.retain(|k, _| k.0 != Grain::Day);
    p.declines.retain(|k, _| k.0 != Grain::Day);
    flush(&mut tx, p).await?;
    tx.commit().await?;
    tracing::info!(
        rows = rollups.len(),
        "filled sub-day rollups from the event history"
    );
    Ok(())
}
