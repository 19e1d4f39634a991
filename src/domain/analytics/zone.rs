//! Days in the viewer's time zone, read from UTC rollups. Rollups are kept per UTC day and
//! per quarter-hour (every time zone in use today is a whole number of quarter-hours from
//! UTC). A span of instants reads its whole UTC days from the day rows and only its ragged
//! ends from the quarter rows, so a report reads at most half a day of quarter rows at each
//! end for its table, and for its daily trend at most half of each day (see `cuts`).
use super::{DayTotal, DAY_MS};
use std::collections::BTreeMap;

pub const QUARTER_MS: i64 = 15 * 60 * 1000;
pub const QUARTERS_PER_DAY: i64 = DAY_MS / QUARTER_MS;

/// The quarter-hour an instant falls in (quarters since 1970-01-01T00:00Z).
pub fn quarter_of(ms: i64) -> i64 {
    ms.div_euclid(QUARTER_MS)
}

/// `[start, end)` as whole UTC days plus or minus quarter-hour ranges, all half-open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub days: (i64, i64),
    /// `(from, to, sign)`: +1 adds the quarters, -1 takes them off a whole day read.
    pub quarters: Vec<(i64, i64, i64)>,
}

/// Splits `[start_ms, end_ms)` (both on quarter-hour boundaries) for the rollup tables. A
/// ragged end is read as the part of its day inside the span, or as the whole day minus the
/// part outside it, whichever is fewer quarters (at most half a day per end).
pub fn span(start_ms: i64, end_ms: i64) -> Span {
    let (qs, qe) = (quarter_of(start_ms), quarter_of(end_ms));
    let (ds, ws) = (
        qs.div_euclid(QUARTERS_PER_DAY),
        qs.rem_euclid(QUARTERS_PER_DAY),
    );
    let (de, we) = (
        qe.div_euclid(QUARTERS_PER_DAY),
        qe.rem_euclid(QUARTERS_PER_DAY),
    );
    let mut quarters = Vec::new();
    // The start: from `qs` to its day's end, or its whole day minus the head before `qs`.
    let d0 = if ws == 0 {
        ds
    } else if QUARTERS_PER_DAY - ws <= ws {
        quarters.push((qs, (ds + 1) * QUARTERS_PER_DAY, 1));
        ds + 1
    } else {
        quarters.push((ds * QUARTERS_PER_DAY, qs, -1));
        ds
    };
    // The end: its day's head before `qe`, or its whole day minus the tail from `qe`.
    let d1 = if we == 0 {
        de
    } else if we <= QUARTERS_PER_DAY - we {
        quarters.push((de * QUARTERS_PER_DAY, qe, 1));
        de
    } else {
        quarters.push((qe, (de + 1) * QUARTERS_PER_DAY, -1));
        de + 1
    };
    if d0 > d1 || qs >= qe {
        // Inside one day: just its quarters.
        let quarters = if qs < qe { vec![(qs, qe, 1)] } else { vec![] };
        return Span {
            days: (d0, d0),
            quarters,
        };
    }
    Span {
        days: (d0, d1),
        quarters,
    }
}

/// The trend's local days are differences of a running total `P(b)` taken at each local
/// midnight `b`. `P(b)` is the UTC days before `b`'s day plus the quarters of its day before
/// `b` (a head), or the UTC days up to and including `b`'s day minus the quarters from `b` on
/// (a tail): whichever part is shorter, so no more than 12 hours of each day is read.
/// Midnights with the same cut (the same offset from UTC) form one `Cuts` run, read with one
/// query; daylight saving time starts a new run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cuts {
    /// UTC days `[first, last]` holding this run's midnights (one midnight per day).
    pub first: i64,
    pub last: i64,
    /// Quarter of the day where local midnight falls (0..96).
    pub cut: i64,
    /// Read the quarters before the cut (head) or from it on (tail).
    pub head: bool,
}

/// The runs for local midnights `starts` (UTC ms, ascending).
pub fn cuts(starts: &[i64]) -> Vec<Cuts> {
    runs(starts).0
}

/// The runs, and for each midnight the index of its run.
fn runs(starts: &[i64]) -> (Vec<Cuts>, Vec<usize>) {
    let mut out: Vec<Cuts> = Vec::new();
    let mut of = Vec::with_capacity(starts.len());
    for &b in starts {
        let q = quarter_of(b);
        let day = q.div_euclid(QUARTERS_PER_DAY);
        let cut = q.rem_euclid(QUARTERS_PER_DAY);
        let head = cut <= QUARTERS_PER_DAY / 2;
        match out.last_mut() {
            Some(r) if r.cut == cut && r.head == head && r.last + 1 == day => r.last = day,
            _ => out.push(Cuts {
                first: day,
                last: day,
                cut,
                head,
            }),
        }
        of.push(out.len() - 1);
    }
    (out, of)
}

/// The trend per local day. `daily` holds whole UTC days (at least every day holding a
/// midnight), `parts[i]` the head or tail sums per UTC day for run `i` of `cuts(starts)`.
/// The result's `day` is the local day number `from_day + i`.
pub fn local_trend(
    starts: &[i64],
    from_day: i64,
    daily: &[DayTotal],
    parts: &[Vec<DayTotal>],
) -> Vec<DayTotal> {
    let (runs, run_of) = runs(starts);
    let mut currencies: Vec<&str> = daily
        .iter()
        .chain(parts.iter().flatten())
        .map(|d| d.currency.as_str())
        .collect();
    currencies.sort_unstable();
    currencies.dedup();
    let by_day: BTreeMap<(&str, i64), &DayTotal> = daily
        .iter()
        .map(|d| ((d.currency.as_str(), d.day), d))
        .collect();
    let mut out = Vec::new();
    for currency in currencies {
        // Running totals over UTC days, from the first midnight's day.
        let first = starts
            .first()
            .map_or(0, |b| quarter_of(*b).div_euclid(QUARTERS_PER_DAY));
        let mut prefix = BTreeMap::new();
        let mut acc: (i64, i64, i64) = (0, 0, 0);
        let last = starts
            .last()
            .map_or(first, |b| quarter_of(*b).div_euclid(QUARTERS_PER_DAY));
        for day in first..=last + 1 {
            prefix.insert(day, acc);
            if let Some(d) = by_day.get(&(currency, day)) {
                acc = (acc.0 + d.shown, acc.1 + d.paid, acc.2 + d.revenue);
            }
        }
        let total_at = |k: usize| {
            let day = quarter_of(starts[k]).div_euclid(QUARTERS_PER_DAY);
            let i = run_of[k];
            let head = runs[i].head;
            let part = parts
                .get(i)
                .and_then(|p| p.iter().find(|d| d.day == day && d.currency == currency))
                .map_or((0, 0, 0), |d| (d.shown, d.paid, d.revenue));
            if head {
                let p = prefix.get(&day).copied().unwrap_or_default();
                (p.0 + part.0, p.1 + part.1, p.2 + part.2)
            } else {
                let p = prefix.get(&(day + 1)).copied().unwrap_or_default();
                (p.0 - part.0, p.1 - part.1, p.2 - part.2)
            }
        };
        for i in 0..starts.len().saturating_sub(1) {
            let (a, b) = (total_at(i), total_at(i + 1));
            let d = DayTotal {
                day: from_day + i as i64,
                currency: currency.to_string(),
                shown: b.0 - a.0,
                paid: b.1 - a.1,
                revenue: b.2 - a.2,
            };
            if d.shown != 0 || d.paid != 0 || d.revenue != 0 {
                out.push(d);
            }
        }
    }
    out
}

/// Which local day (index into `starts` windows) an instant falls in, if any.
pub fn local_day_index(starts: &[i64], ms: i64) -> Option<usize> {
    let i = starts.partition_point(|b| *b <= ms);
    (i >= 1 && i < starts.len()).then(|| i - 1)
}
