//! Offer events and the rollups they feed. Every event goes through `record`, inside the caller's
//! transaction, so an event and its rollup change commit or roll back together (a webhook batch
//! sums its changes and writes them at its end, still inside its transaction: see `batch`).
use crate::domain::analytics::zone::{cuts, local_trend, quarter_of, span, QUARTERS_PER_DAY};
use crate::domain::analytics::{
    day_of, Cell, CodeCount, Counts, DayTotal, DeclineCount, EventKind, RangeData, Rollup, Variant,
    Window,
};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row, Transaction};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;

use super::ids::new_id;

type Tx<'a> = Transaction<'a, Any>;

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
    tx: &mut Tx<'_>,
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
    sqlx::query("INSERT INTO offer_events (id, offer_id, rule_id, kind, at, amount, currency, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(new_id("oev"))
        .bind(s.id)
        .bind(s.rule_id)
        .bind(kind.as_str())
        .bind(at)
        .bind(amount)
        .bind(amount.map(|_| s.currency))
        .bind(detail)
        .execute(&mut **tx)
        .await?;
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

/// A rollup table's time bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grain {
    Day,
    Quarter,
}

impl Grain {
    fn bucket(self, at: i64) -> i64 {
        match self {
            Grain::Day => day_of(at),
            Grain::Quarter => quarter_of(at),
        }
    }
    /// (offer table, decline table, bucket column)
    fn tables(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Grain::Day => ("offer_rollups", "decline_rollups", "day"),
            Grain::Quarter => ("offer_rollups_q", "decline_rollups_q", "q"),
        }
    }
}

/// Rollup changes summed over a batch of events, keyed in the order they are written.
#[derive(Default)]
pub struct Pending {
    rollups: BTreeMap<(Grain, i64, String, Variant, String), Counts>,
    declines: BTreeMap<(Grain, i64, String, String), i64>,
    trend: BTreeMap<(i64, String), (i64, i64, i64)>,
}

impl Pending {
    fn add(&mut self, s: &Subject<'_>, at: i64, c: &Counts, code: Option<&str>) {
        for g in [Grain::Day, Grain::Quarter] {
            let b = g.bucket(at);
            self.rollups
                .entry((g, b, s.rule_id.into(), s.variant, s.currency.into()))
                .or_default()
                .add(c);
            if let Some(code) = code {
                *self
                    .declines
                    .entry((g, b, s.rule_id.into(), code.into()))
                    .or_default() += 1;
            }
        }
        let net = c.net_revenue();
        if s.variant != Variant::Holdout && (c.shown != 0 || c.paid != 0 || net != 0) {
            let t = self
                .trend
                .entry((quarter_of(at), s.currency.into()))
                .or_default();
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

/// Writes a batch's summed rollup changes into `tx`, in key order (the same order in every
/// transaction, so concurrent batches cannot deadlock on each other's rows).
pub async fn flush(tx: &mut Tx<'_>, p: Pending) -> Result<(), sqlx::Error> {
    for ((grain, bucket, rule_id, variant, currency), c) in &p.rollups {
        add(&mut **tx, *grain, *bucket, rule_id, *variant, currency, c).await?;
    }
    for ((grain, bucket, rule_id, code), n) in &p.declines {
        add_decline(&mut **tx, *grain, *bucket, rule_id, code, *n).await?;
    }
    for ((q, currency), (shown, paid, revenue)) in &p.trend {
        sqlx::query(
            "INSERT INTO trend_rollups_q (q, currency, shown, paid, revenue) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (q, currency) DO UPDATE SET shown = trend_rollups_q.shown + excluded.shown, \
             paid = trend_rollups_q.paid + excluded.paid, revenue = trend_rollups_q.revenue + excluded.revenue",
        )
        .bind(q)
        .bind(currency)
        .bind(shown)
        .bind(paid)
        .bind(revenue)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Paid minus refunded so far for one offer.
async fn net_revenue<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    offer_id: &str,
) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'paid' THEN amount ELSE -amount END), 0) AS BIGINT) AS net \
         FROM offer_events WHERE offer_id = $1 AND kind IN ('paid', 'refunded') AND amount IS NOT NULL",
    )
    .bind(offer_id)
    .fetch_one(ex)
    .await?;
    row.try_get("net")
}

/// Adds `c` to one rollup row (creating it on first use).
pub async fn add<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    grain: Grain,
    bucket: i64,
    rule_id: &str,
    variant: Variant,
    currency: &str,
    c: &Counts,
) -> Result<(), sqlx::Error> {
    let (t, _, col) = grain.tables();
    let set = COUNTERS
        .iter()
        .map(|c| format!("{c} = {t}.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(&format!(
        "INSERT INTO {t} ({col}, rule_id, variant, currency, {}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         ON CONFLICT ({col}, rule_id, variant, currency) DO UPDATE SET {set}",
        COUNTERS.join(", ")
    ))
    .bind(bucket)
    .bind(rule_id)
    .bind(variant.as_str())
    .bind(currency)
    .bind(c.created)
    .bind(c.shown)
    .bind(c.accepted)
    .bind(c.paid)
    .bind(c.declined)
    .bind(c.failed)
    .bind(c.expired)
    .bind(c.fallback)
    .bind(c.refunds)
    .bind(c.revenue)
    .bind(c.refunded)
    .bind(c.revenue_sq)
    .bind(c.trigger_paid)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn add_decline<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    grain: Grain,
    bucket: i64,
    rule_id: &str,
    code: &str,
    n: i64,
) -> Result<(), sqlx::Error> {
    let (_, t, col) = grain.tables();
    sqlx::query(&format!("INSERT INTO {t} ({col}, rule_id, code, n) VALUES ($1, $2, $3, $4) ON CONFLICT ({col}, rule_id, code) DO UPDATE SET n = {t}.n + excluded.n"))
        .bind(bucket)
        .bind(rule_id)
        .bind(code)
        .bind(n)
        .execute(ex)
        .await?;
    Ok(())
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
    let (offers, declines, col) = grain.tables();
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

/// The stored trend rows (`day` is the quarter-hour).
pub async fn load_trend(db: &super::db::Db) -> Result<Vec<DayTotal>, sqlx::Error> {
    sqlx::query("SELECT q, currency, shown, paid, revenue FROM trend_rollups_q")
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| day_total(r, "q"))
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

/// Sums of `values` per `keys` over `w`'s span: one grouped query over its whole UTC days
/// and one over its ragged ends (quarters signed +1 or -1, see `span`). Both return a row per
/// key at most; the caller adds them up.
async fn span_sums(
    db: &super::db::Db,
    w: &Window,
    tables: (&str, &str),
    keys: &str,
    values: &[&str],
) -> Result<Vec<AnyRow>, sqlx::Error> {
    let (first, last) = (
        w.starts.first().copied().unwrap_or_default(),
        w.starts.last().copied().unwrap_or_default(),
    );
    let s = span(first, last);
    let sums = |sign: &str| {
        values
            .iter()
            .map(|v| format!("CAST(SUM({sign}{v}) AS BIGINT) AS {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut rows = Vec::new();
    if s.days.0 < s.days.1 {
        let sql = format!(
            "SELECT {keys}, {} FROM {} WHERE day >= $1 AND day < $2 GROUP BY {keys}",
            sums(""),
            tables.0
        );
        rows = sqlx::query(&sql)
            .bind(s.days.0)
            .bind(s.days.1)
            .fetch_all(db)
            .await?;
    }
    if let Some(&(lo, hi, sign)) = s.quarters.first() {
        let (lo2, hi2, sign2) = s.quarters.get(1).copied().unwrap_or((0, 0, 1));
        let sign = format!("(CASE WHEN q >= $1 AND q < $2 THEN {sign} ELSE {sign2} END) * ");
        let sql = format!(
            "SELECT {keys}, {} FROM {} WHERE (q >= $1 AND q < $2) OR (q >= $3 AND q < $4) GROUP BY {keys}",
            sums(&sign),
            tables.1
        );
        rows.extend(
            sqlx::query(&sql)
                .bind(lo)
                .bind(hi)
                .bind(lo2)
                .bind(hi2)
                .fetch_all(db)
                .await?,
        );
    }
    Ok(rows)
}

/// The range summed by the database (PostgreSQL's SUM of BIGINT is NUMERIC: cast back), with
/// days from midnight to midnight in `w`'s zone. `rule_ids` limits the trend to the rules the
/// filters keep; `None` keeps all.
pub async fn load_range(
    db: &super::db::Db,
    w: &Window,
    rule_ids: Option<&[String]>,
) -> Result<RangeData, sqlx::Error> {
    let rows = span_sums(
        db,
        w,
        ("offer_rollups", "offer_rollups_q"),
        "rule_id, variant, currency",
        &COUNTERS,
    )
    .await?;
    let mut cells: BTreeMap<(String, Variant, String), Counts> = BTreeMap::new();
    for r in &rows {
        cells
            .entry((
                r.try_get("rule_id")?,
                variant_of(r)?,
                r.try_get("currency")?,
            ))
            .or_default()
            .add(&counts_of(r)?);
    }
    // A whole day minus its part outside the range can leave nothing: no cell then.
    let cells = cells
        .into_iter()
        .filter(|(_, c)| *c != Counts::default())
        .map(|((rule_id, variant, currency), counts)| Cell {
            rule_id,
            variant,
            currency,
            counts,
        })
        .collect();

    let days = if rule_ids.is_some_and(<[String]>::is_empty) {
        Vec::new()
    } else {
        trend(db, w, rule_ids).await?
    };

    let rows = span_sums(
        db,
        w,
        ("decline_rollups", "decline_rollups_q"),
        "rule_id, code",
        &["n"],
    )
    .await?;
    let mut codes: BTreeMap<(String, String), i64> = BTreeMap::new();
    for r in &rows {
        *codes
            .entry((r.try_get("rule_id")?, r.try_get("code")?))
            .or_default() += r.try_get::<i64, _>("n")?;
    }
    let declines = codes
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|((rule_id, code), count)| CodeCount {
            rule_id,
            code,
            count,
        })
        .collect();
    Ok(RangeData {
        cells,
        days,
        declines,
    })
}

/// The trend per local day: whole UTC days, plus or minus the parts of the days holding a
/// local midnight (see `domain::analytics::zone::cuts`). An unfiltered trend reads those parts
/// from the narrow all-rules table; a filtered one from the kept rules' quarter rows.
async fn trend(
    db: &super::db::Db,
    w: &Window,
    rule_ids: Option<&[String]>,
) -> Result<Vec<DayTotal>, sqlx::Error> {
    let day = |ms: i64| quarter_of(ms).div_euclid(QUARTERS_PER_DAY);
    let (first, last) = (
        w.starts.first().copied().map_or(0, day),
        w.starts.last().copied().map_or(0, day),
    );
    // Extra conditions after `$1`, `$2`: the currency and the kept rules.
    let mut filter = String::new();
    let mut next = 3;
    if !w.filters.currency.is_empty() {
        filter.push_str(&format!(" AND currency = ${next}"));
        next += 1;
    }
    if let Some(ids) = rule_ids {
        let marks: Vec<String> = (next..next + ids.len()).map(|i| format!("${i}")).collect();
        filter.push_str(&format!(" AND rule_id IN ({})", marks.join(", ")));
    }
    let currency = w.filters.currency.as_str();
    let ids = rule_ids.unwrap_or_default();
    let series = "CAST(SUM(shown) AS BIGINT) AS shown, CAST(SUM(paid) AS BIGINT) AS paid";
    let daily = totals(
        db,
        &format!(
            "SELECT day AS d, currency, {series}, CAST(SUM(revenue - refunded) AS BIGINT) AS revenue \
             FROM offer_rollups WHERE day >= $1 AND day <= $2 AND variant <> 'holdout'{filter} \
             GROUP BY day, currency"
        ),
        (first, last),
        currency,
        ids,
    )
    .await?;
    let (table, revenue, holdout) = match rule_ids {
        None => ("trend_rollups_q", "revenue", ""),
        Some(_) => (
            "offer_rollups_q",
            "revenue - refunded",
            " AND variant <> 'holdout'",
        ),
    };
    let mut parts = Vec::new();
    for c in cuts(&w.starts) {
        if c.head && c.cut == 0 {
            parts.push(Vec::new());
            continue;
        }
        let side = if c.head { "<" } else { ">=" };
        parts.push(
            totals(
                db,
                &format!(
                    "SELECT q / {QUARTERS_PER_DAY} AS d, currency, {series}, \
                     CAST(SUM({revenue}) AS BIGINT) AS revenue FROM {table} \
                     WHERE q >= $1 AND q < $2 AND q % {QUARTERS_PER_DAY} {side} {cut}{holdout}{filter} \
                     GROUP BY q / {QUARTERS_PER_DAY}, currency",
                    cut = c.cut
                ),
                (c.first * QUARTERS_PER_DAY, (c.last + 1) * QUARTERS_PER_DAY),
                currency,
                ids,
            )
            .await?,
        );
    }
    Ok(local_trend(&w.starts, w.from_day, &daily, &parts))
}

/// Runs one trend query: `$1`, `$2` are `range`, then the currency (if any), then `ids`.
async fn totals(
    db: &super::db::Db,
    sql: &str,
    range: (i64, i64),
    currency: &str,
    ids: &[String],
) -> Result<Vec<DayTotal>, sqlx::Error> {
    let mut q = sqlx::query(sql).bind(range.0).bind(range.1);
    if !currency.is_empty() {
        q = q.bind(currency);
    }
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(db)
        .await?
        .iter()
        .map(|r| day_total(r, "d"))
        .collect()
}

/// Recomputes every rollup of one grain from the raw events, in the order they happened. Used
/// to check the incremental rollups (tests), to build them for generated history (benchmark)
/// and to fill the quarter tables of a database from before they existed.
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

/// Fills the quarter tables of a database whose events predate them (once, at start-up): the
/// day tables already hold those events, so only the quarter rows are written. The check and
/// the writes share one write transaction (with the table locked on PostgreSQL), so two
/// instances starting together cannot both fill them.
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
    let mut trend: BTreeMap<(i64, String), (i64, i64, i64)> = BTreeMap::new();
    for r in &rollups {
        add(
            &mut *tx,
            Grain::Quarter,
            r.bucket,
            &r.rule_id,
            r.variant,
            &r.currency,
            &r.counts,
        )
        .await?;
        if r.variant != Variant::Holdout {
            let t = trend.entry((r.bucket, r.currency.clone())).or_default();
            *t = (
                t.0 + r.counts.shown,
                t.1 + r.counts.paid,
                t.2 + r.counts.net_revenue(),
            );
        }
    }
    for d in &declines {
        add_decline(
            &mut *tx,
            Grain::Quarter,
            d.bucket,
            &d.rule_id,
            &d.code,
            d.count,
        )
        .await?;
    }
    flush(
        &mut tx,
        Pending {
            trend,
            ..Pending::default()
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        rows = rollups.len(),
        "filled quarter-hour rollups from the event history"
    );
    Ok(())
}
