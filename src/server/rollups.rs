//! Offer events and the rollups they feed. Every event goes through `record`, inside the caller's
//! transaction, so an event and its rollup change commit or roll back together (a webhook batch
//! sums its changes and writes them at its end, still inside its transaction: see `batch`).
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
    let day = day_of(at);
    let code = (kind == EventKind::Failed).then(|| detail.unwrap_or("UNKNOWN_ERROR"));
    let in_batch = BATCH
        .try_with(|b| {
            let mut b = b.borrow_mut();
            let key = (
                day,
                s.rule_id.to_string(),
                s.variant,
                s.currency.to_string(),
            );
            b.rollups.entry(key).or_default().add(&c);
            if let Some(code) = code {
                *b.declines
                    .entry((day, s.rule_id.to_string(), code.to_string()))
                    .or_default() += 1;
            }
        })
        .is_ok();
    if !in_batch {
        add(&mut **tx, day, s.rule_id, s.variant, s.currency, &c).await?;
        if let Some(code) = code {
            add_decline(&mut **tx, day, s.rule_id, code, 1).await?;
        }
    }
    Ok(())
}

/// Rollup changes summed over a batch of events, keyed in the order they are written.
#[derive(Default)]
pub struct Pending {
    rollups: BTreeMap<(i64, String, Variant, String), Counts>,
    declines: BTreeMap<(i64, String, String), i64>,
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
    for ((day, rule_id, variant, currency), c) in &p.rollups {
        add(&mut **tx, *day, rule_id, *variant, currency, c).await?;
    }
    for ((day, rule_id, code), n) in &p.declines {
        add_decline(&mut **tx, *day, rule_id, code, *n).await?;
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
    day: i64,
    rule_id: &str,
    variant: Variant,
    currency: &str,
    c: &Counts,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO offer_rollups (day, rule_id, variant, currency, created, shown, accepted, paid, declined, failed, expired, fallback, refunds, revenue, refunded, revenue_sq, trigger_paid) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         ON CONFLICT (day, rule_id, variant, currency) DO UPDATE SET \
         created = offer_rollups.created + excluded.created, shown = offer_rollups.shown + excluded.shown, \
         accepted = offer_rollups.accepted + excluded.accepted, paid = offer_rollups.paid + excluded.paid, \
         declined = offer_rollups.declined + excluded.declined, failed = offer_rollups.failed + excluded.failed, \
         expired = offer_rollups.expired + excluded.expired, fallback = offer_rollups.fallback + excluded.fallback, \
         refunds = offer_rollups.refunds + excluded.refunds, revenue = offer_rollups.revenue + excluded.revenue, \
         refunded = offer_rollups.refunded + excluded.refunded, revenue_sq = offer_rollups.revenue_sq + excluded.revenue_sq, \
         trigger_paid = offer_rollups.trigger_paid + excluded.trigger_paid",
    )
    .bind(day)
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
    day: i64,
    rule_id: &str,
    code: &str,
    n: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO decline_rollups (day, rule_id, code, n) VALUES ($1, $2, $3, $4) ON CONFLICT (day, rule_id, code) DO UPDATE SET n = decline_rollups.n + excluded.n")
        .bind(day)
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

fn rollup_from(r: &AnyRow) -> Result<Rollup, sqlx::Error> {
    Ok(Rollup {
        day: r.try_get("day")?,
        rule_id: r.try_get("rule_id")?,
        variant: variant_of(r)?,
        currency: r.try_get("currency")?,
        counts: counts_of(r)?,
    })
}

/// The stored per-day rows for days `from..=to`, as they are (checks compare them with
/// `recompute`, and the page's sums with `domain::analytics::range_data` over them).
pub async fn load(
    db: &super::db::Db,
    from: i64,
    to: i64,
) -> Result<(Vec<Rollup>, Vec<DeclineCount>), sqlx::Error> {
    let rows = sqlx::query("SELECT * FROM offer_rollups WHERE day >= $1 AND day <= $2")
        .bind(from)
        .bind(to)
        .fetch_all(db)
        .await?;
    let rollups = rows.iter().map(rollup_from).collect::<Result<_, _>>()?;
    let rows = sqlx::query(
        "SELECT day, rule_id, code, n FROM decline_rollups WHERE day >= $1 AND day <= $2",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?;
    let declines = rows
        .iter()
        .map(|r| {
            Ok(DeclineCount {
                day: r.try_get("day")?,
                rule_id: r.try_get("rule_id")?,
                code: r.try_get("code")?,
                count: r.try_get("n")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok((rollups, declines))
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

/// The range summed by the database (PostgreSQL's SUM of BIGINT is NUMERIC: cast back).
/// `rule_ids` limits the trend to the rules the filters keep; `None` keeps all.
pub async fn load_range(
    db: &super::db::Db,
    w: &Window,
    rule_ids: Option<&[String]>,
) -> Result<RangeData, sqlx::Error> {
    let sums = COUNTERS
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(&format!(
        "SELECT rule_id, variant, currency, {sums} FROM offer_rollups \
         WHERE day >= $1 AND day <= $2 GROUP BY rule_id, variant, currency"
    ))
    .bind(w.from_day)
    .bind(w.to_day)
    .fetch_all(db)
    .await?;
    let cells = rows
        .iter()
        .map(|r| {
            Ok(Cell {
                rule_id: r.try_get("rule_id")?,
                variant: variant_of(r)?,
                currency: r.try_get("currency")?,
                counts: counts_of(r)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;

    let days = if rule_ids.is_some_and(<[String]>::is_empty) {
        Vec::new()
    } else {
        let mut sql = String::from(
            "SELECT day, currency, CAST(SUM(shown) AS BIGINT) AS shown, CAST(SUM(paid) AS BIGINT) AS paid, \
             CAST(SUM(revenue - refunded) AS BIGINT) AS revenue FROM offer_rollups \
             WHERE day >= $1 AND day <= $2 AND variant <> 'holdout'",
        );
        let mut next = 3;
        if !w.filters.currency.is_empty() {
            sql.push_str(&format!(" AND currency = ${next}"));
            next += 1;
        }
        if let Some(ids) = rule_ids {
            let marks: Vec<String> = (next..next + ids.len()).map(|i| format!("${i}")).collect();
            sql.push_str(&format!(" AND rule_id IN ({})", marks.join(", ")));
        }
        sql.push_str(" GROUP BY day, currency");
        let mut q = sqlx::query(&sql).bind(w.from_day).bind(w.to_day);
        if !w.filters.currency.is_empty() {
            q = q.bind(&w.filters.currency);
        }
        for id in rule_ids.unwrap_or_default() {
            q = q.bind(id);
        }
        q.fetch_all(db)
            .await?
            .iter()
            .map(|r| {
                Ok(DayTotal {
                    day: r.try_get("day")?,
                    currency: r.try_get("currency")?,
                    shown: r.try_get("shown")?,
                    paid: r.try_get("paid")?,
                    revenue: r.try_get("revenue")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?
    };

    let declines = sqlx::query(
        "SELECT rule_id, code, CAST(SUM(n) AS BIGINT) AS n FROM decline_rollups \
         WHERE day >= $1 AND day <= $2 GROUP BY rule_id, code",
    )
    .bind(w.from_day)
    .bind(w.to_day)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| {
        Ok(CodeCount {
            rule_id: r.try_get("rule_id")?,
            code: r.try_get("code")?,
            count: r.try_get("n")?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(RangeData {
        cells,
        days,
        declines,
    })
}

/// Recomputes every rollup from the raw events, in the order they happened. Used to check
/// the incremental rollups (tests) and to build them for generated history (benchmark).
pub async fn recompute(
    db: &super::db::Db,
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
                day_of(at),
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
                    day_of(at),
                    rule_id,
                    detail.unwrap_or_else(|| "UNKNOWN_ERROR".into()),
                ))
                .or_default() += 1;
        }
    }
    let rollups = rollups
        .into_iter()
        .map(|((day, rule_id, variant, currency), counts)| Rollup {
            day,
            rule_id,
            variant: Variant::parse(&variant).unwrap_or(Variant::A),
            currency,
            counts,
        })
        .collect();
    let declines = declines
        .into_iter()
        .map(|((day, rule_id, code), count)| DeclineCount {
            day,
            rule_id,
            code,
            count,
        })
        .collect();
    Ok((rollups, declines))
}
