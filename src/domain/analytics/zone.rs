//! Days in the viewer's time zone, read from UTC rollups. Rollups are kept per UTC day, four
//! hours, hour and quarter-hour (every time zone in use today is a whole number of
//! quarter-hours from UTC). A span of instants reads its whole UTC days from the day rows and
//! its ragged ends from a few finer rows (see `span`), and the daily trend a few rows of each
//! day (see `cuts`): what a report reads depends on its range, not on how many events there
//! are.
use super::{DayTotal, DAY_MS};
use std::collections::BTreeMap;

pub const QUARTER_MS: i64 = 15 * 60 * 1000;
pub const QUARTERS_PER_DAY: i64 = DAY_MS / QUARTER_MS;

/// The quarter-hour an instant falls in (quarters since 1970-01-01T00:00Z).
pub fn quarter_of(ms: i64) -> i64 {
    ms.div_euclid(QUARTER_MS)
}

/// Rollup grains in quarter-hours per bucket, coarsest first: the day, four hours, the hour,
/// the quarter-hour. Each divides the one before it, so a bucket never straddles a coarser
/// one, and any span of quarters is a few coarse buckets in the middle and finer ones at its
/// ends: a ragged end costs at most a handful of rows per key, never up to 48 quarters.
pub const GRAINS: [i64; 4] = [QUARTERS_PER_DAY, 16, 4, 1];

/// Buckets `[lo, hi)` of `size` quarters each (numbered from 1970-01-01T00:00Z, so bucket `b`
/// holds quarters `[b * size, (b + 1) * size)`), added (`sign` +1) or taken off (-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub size: i64,
    pub lo: i64,
    pub hi: i64,
    pub sign: i64,
}

/// Quarters `[a, b)` as the fewest aligned buckets: the coarsest grain takes what it can in
/// the middle, finer grains the ends.
pub fn cover(a: i64, b: i64, sign: i64) -> Vec<Piece> {
    let mut out = Vec::new();
    cover_into(a, b, sign, &GRAINS, &mut out);
    out
}

fn cover_into(a: i64, b: i64, sign: i64, grains: &[i64], out: &mut Vec<Piece>) {
    let Some((&size, finer)) = grains.split_first() else {
        return;
    };
    if a >= b {
        return;
    }
    let (lo, hi) = (-(-a).div_euclid(size), b.div_euclid(size));
    if lo < hi {
        cover_into(a, lo * size, sign, finer, out);
        out.push(Piece { size, lo, hi, sign });
        cover_into(hi * size, b, sign, finer, out);
    } else {
        cover_into(a, b, sign, finer, out);
    }
}

/// How many rows per key `pieces` read.
pub fn buckets(pieces: &[Piece]) -> i64 {
    pieces.iter().map(|p| p.hi - p.lo).sum()
}

/// `[start_ms, end_ms)` (both on quarter-hour boundaries) as rollup buckets. Each ragged end
/// is read as the part of its day inside the span, or as its whole day minus the part
/// outside it, whichever reads fewer rows.
pub fn span(start_ms: i64, end_ms: i64) -> Vec<Piece> {
    let (qs, qe) = (quarter_of(start_ms), quarter_of(end_ms));
    if qs >= qe {
        return Vec::new();
    }
    let d = QUARTERS_PER_DAY;
    let (ds, de) = (qs.div_euclid(d) * d, -(-qe).div_euclid(d) * d);
    let mut best: Option<Vec<Piece>> = None;
    for (s, e) in [(qs, qe), (ds, qe), (qs, de), (ds, de)] {
        let pieces = [cover(s, e, 1), cover(s, qs, -1), cover(qe, e, -1)].concat();
        if best.as_ref().is_none_or(|b| buckets(&pieces) < buckets(b)) {
            best = Some(pieces);
        }
    }
    best.unwrap_or_default()
}

/// The trend's local days are differences of a running total `P(b)` taken at each local
/// midnight `b`. `P(b)` is the UTC days before `b`'s day plus the quarters of its day before
/// `b` (a head), or the UTC days up to and including `b`'s day minus the quarters from `b` on
/// (a tail): whichever reads fewer buckets (see `cover`: at most 6 a day).
/// Midnights with the same cut (the same offset from UTC) form one `Cuts` run, reading the
/// same buckets of each of its days; daylight saving time starts a new run.
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

impl Cuts {
    /// The buckets of one day this run reads, numbered within the day (for day `d` and a
    /// piece of `size` quarters, add `d * QUARTERS_PER_DAY / size` to `lo` and `hi`).
    pub fn pieces(&self) -> Vec<Piece> {
        if self.head {
            cover(0, self.cut, 1)
        } else {
            cover(self.cut, QUARTERS_PER_DAY, 1)
        }
    }
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
        let head = buckets(&cover(0, cut, 1)) <= buckets(&cover(cut, QUARTERS_PER_DAY, 1));
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
