//! The report's reads over a range of local days: its table's sums, its decline counts and its
//! daily trend, one query each, over the grains of rollups (see `domain::analytics::zone`).
//! Each reads a few rows per key and day, however many events those rows sum.
use super::{counts_of, day_total, variant_of, Grain, COUNTERS};
use crate::domain::analytics::zone::{cuts, local_trend, quarter_of, span, QUARTERS_PER_DAY};
use crate::domain::analytics::{Cell, CodeCount, Counts, DayTotal, RangeData, Variant, Window};
use crate::server::sql::{Arg, Sql};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// Sums of `values` per `keys` over `w`'s span, from `table(grain)`: whole UTC days from the
/// day rows, ragged ends from a few finer ones, each piece added or taken off (see `span`).
async fn span_sums(
    conn: &mut AnyConnection,
    w: &Window,
    table: fn(Grain) -> &'static str,
    keys: &str,
    values: &[&str],
) -> Result<Vec<AnyRow>, sqlx::Error> {
    let (first, last) = (
        w.starts.first().copied().unwrap_or_default(),
        w.starts.last().copied().unwrap_or_default(),
    );
    let pieces = span(first, last);
    if pieces.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::default();
    let sums: Vec<String> = values
        .iter()
        .map(|v| format!("CAST(SUM({v}) AS BIGINT) AS {v}"))
        .collect();
    sql.push(&format!("SELECT {keys}, {} FROM (", sums.join(", ")));
    for (i, p) in pieces.iter().enumerate() {
        let grain = Grain::of_size(p.size);
        let col = grain.tables().3;
        let sign = if p.sign < 0 { "-" } else { "" };
        let signed: Vec<String> = values.iter().map(|v| format!("{sign}{v} AS {v}")).collect();
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push(&format!(
            "SELECT {keys}, {} FROM {} WHERE {col} >= ",
            signed.join(", "),
            table(grain)
        ));
        sql.arg(Arg::Int(p.lo));
        sql.push(&format!(" AND {col} < "));
        sql.arg(Arg::Int(p.hi));
    }
    sql.push(&format!(") AS t GROUP BY {keys}"));
    sql.fetch(conn).await
}

/// The range summed by the database (PostgreSQL's SUM of BIGINT is NUMERIC: cast back), with
/// days from midnight to midnight in `w`'s zone. `rule_ids` limits the trend to the rules the
/// filters keep; `None` keeps all.
pub async fn load_range(
    db: &crate::server::db::Db,
    w: &Window,
    rule_ids: Option<&[String]>,
) -> Result<RangeData, sqlx::Error> {
    // One connection for the three queries: no pool round trip between them.
    let mut conn = db.acquire().await?;
    let rows = span_sums(
        &mut conn,
        w,
        |g| g.tables().0,
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
        trend(&mut conn, w, rule_ids).await?
    };

    let rows = span_sums(&mut conn, w, |g| g.tables().1, "rule_id, code", &["n"]).await?;
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

/// Where the trend's rows come from: the all-rules trend tables, or the kept rules' rows.
struct Source<'a> {
    rule_ids: Option<&'a [String]>,
    currency: &'a str,
}

impl Source<'_> {
    /// `SELECT d, currency, shown, paid, revenue` of `grain`'s rows; `cond` adds the bucket
    /// condition on the column it is given.
    fn select(&self, sql: &mut Sql, grain: Grain, cond: impl FnOnce(&mut Sql, &str)) {
        let (offers, _, trend, col) = grain.tables();
        let per_day = QUARTERS_PER_DAY / grain.size();
        let (table, revenue) = match self.rule_ids {
            None => (trend, "revenue"),
            Some(_) => (offers, "revenue - refunded"),
        };
        sql.push(&format!(
            "SELECT {col} / {per_day} AS d, currency, shown, paid, {revenue} AS revenue FROM {table} WHERE "
        ));
        cond(sql, col);
        if let Some(ids) = self.rule_ids {
            sql.push(" AND variant <> 'holdout' AND rule_id IN (");
            sql.list(ids, |id| Arg::Text(id.clone()));
            sql.push(")");
        }
        if !self.currency.is_empty() {
            sql.push(" AND currency = ");
            sql.arg(Arg::Text(self.currency.into()));
        }
    }
}

/// The trend per local day, in one query: whole UTC days (part -1), plus or minus the parts of
/// the days holding a local midnight (part `i` for run `i` of `cuts`), each part read as the
/// same few buckets of every day of its run.
async fn trend(
    conn: &mut AnyConnection,
    w: &Window,
    rule_ids: Option<&[String]>,
) -> Result<Vec<DayTotal>, sqlx::Error> {
    let day = |ms: i64| quarter_of(ms).div_euclid(QUARTERS_PER_DAY);
    let (first, last) = (
        w.starts.first().copied().map_or(0, day),
        w.starts.last().copied().map_or(0, day),
    );
    let src = Source {
        rule_ids,
        currency: &w.filters.currency,
    };
    let series = "CAST(SUM(shown) AS BIGINT) AS shown, CAST(SUM(paid) AS BIGINT) AS paid, \
                  CAST(SUM(revenue) AS BIGINT) AS revenue";
    let mut sql = Sql::default();
    sql.push(&format!(
        "SELECT CAST(-1 AS BIGINT) AS part, d, currency, {series} FROM ("
    ));
    src.select(&mut sql, Grain::Day, |sql, col| {
        sql.push(&format!("{col} >= "));
        sql.arg(Arg::Int(first));
        sql.push(&format!(" AND {col} <= "));
        sql.arg(Arg::Int(last));
    });
    sql.push(") AS t GROUP BY d, currency");
    let runs = cuts(&w.starts);
    for (i, run) in runs.iter().enumerate() {
        let pieces = run.pieces();
        if pieces.is_empty() {
            continue;
        }
        sql.push(&format!(
            " UNION ALL SELECT CAST({i} AS BIGINT) AS part, d, currency, {series} FROM ("
        ));
        for (j, p) in pieces.iter().enumerate() {
            if j > 0 {
                sql.push(" UNION ALL ");
            }
            let per_day = QUARTERS_PER_DAY / p.size;
            let buckets =
                (run.first..=run.last).flat_map(|d| (p.lo..p.hi).map(move |b| d * per_day + b));
            src.select(&mut sql, Grain::of_size(p.size), |sql, col| {
                sql.push(&format!("{col} IN ("));
                sql.list(buckets, Arg::Int);
                sql.push(")");
            });
        }
        sql.push(&format!(") AS t{i} GROUP BY d, currency"));
    }
    let mut daily = Vec::new();
    let mut parts = vec![Vec::new(); runs.len()];
    for r in sql.fetch(conn).await? {
        let part: i64 = r.try_get("part")?;
        let d = day_total(&r, "d")?;
        match usize::try_from(part).ok().and_then(|i| parts.get_mut(i)) {
            Some(p) => p.push(d),
            None => daily.push(d),
        }
    }
    Ok(local_trend(&w.starts, w.from_day, &daily, &parts))
}
