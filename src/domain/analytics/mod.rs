//! Conversion analytics: what one offer event adds to a rollup, and how rollups become the
//! analyst's table, trend, decline breakdown and experiment comparison. Pure, so the server,
//! the CSV export and the tests all compute the same numbers.
mod report;
pub mod saves;
pub mod stats;
#[cfg(test)]
mod tests;
pub mod zone;

pub use report::{build_report, range_data};

use super::rule::RuleKind;
use super::time::parse_date;
use serde::{Deserialize, Serialize};
use stats::{two_means, two_proportions, wilson, Comparison, Moments};

pub const DAY_MS: i64 = 86_400_000;
/// The longest range one request may ask for.
pub const MAX_RANGE_DAYS: i64 = 366;
/// Customers each arm needs before the page states a test result (the normal approximation
/// behind the tests is poor below this).
pub const MIN_ARM: i64 = 100;
/// Conversions the two compared arms need together before a rate difference is judged.
pub const MIN_CONVERSIONS: i64 = 10;

/// The UTC day an instant falls on (days since 1970-01-01).
pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

/// Which arm of a rule's experiment a customer is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    A,
    B,
    Holdout,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::A, Variant::B, Variant::Holdout];
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::A => "a",
            Variant::B => "b",
            Variant::Holdout => "holdout",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
    fn index(self) -> usize {
        self as usize
    }
}

/// FNV-1a, written out because std's hasher is not guaranteed stable across releases and a
/// customer must stay in the same arm for the life of an experiment.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Stable assignment: the same customer and rule always land in the same arm. `holdout` and
/// `weight_b` are percentages; `weight_b` applies to the customers not held out.
pub fn assign(customer_id: &str, rule_id: &str, weight_b: i64, holdout: i64) -> Variant {
    let bucket = (fnv1a(&[rule_id, customer_id]) % 10_000) as i64;
    if bucket < holdout.clamp(0, 100) * 100 {
        return Variant::Holdout;
    }
    let rest = (fnv1a(&[customer_id, rule_id, "b"]) % 100) as i64;
    if rest < weight_b.clamp(0, 100) {
        Variant::B
    } else {
        Variant::A
    }
}

/// What happened to an offer. The strings are stored in `offer_events.kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Created,
    Shown,
    Accepted,
    Paid,
    Failed,
    Declined,
    Expired,
    Fallback,
    Refunded,
    /// `refund.failed` after `refund.succeeded`: the money came back; the refund is undone.
    RefundFailed,
}

impl EventKind {
    pub const ALL: [EventKind; 10] = [
        EventKind::Created,
        EventKind::Shown,
        EventKind::Accepted,
        EventKind::Paid,
        EventKind::Failed,
        EventKind::Declined,
        EventKind::Expired,
        EventKind::Fallback,
        EventKind::Refunded,
        EventKind::RefundFailed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Shown => "shown",
            EventKind::Accepted => "accepted",
            EventKind::Paid => "paid",
            EventKind::Failed => "failed",
            EventKind::Declined => "declined",
            EventKind::Expired => "expired",
            EventKind::Fallback => "fallback",
            EventKind::Refunded => "refunded",
            EventKind::RefundFailed => "refund_failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// Whether the event moves money (and so the offer's net revenue).
    pub fn moves_money(self) -> bool {
        matches!(
            self,
            EventKind::Paid | EventKind::Refunded | EventKind::RefundFailed
        )
    }
}

/// Counters for one rule, arm, day and currency. Money is in minor units of that currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub created: i64,
    pub shown: i64,
    pub accepted: i64,
    pub paid: i64,
    pub declined: i64,
    pub failed: i64,
    pub expired: i64,
    pub fallback: i64,
    pub refunds: i64,
    /// Sum of paid amounts.
    pub revenue: i64,
    /// Sum of refunded amounts.
    pub refunded: i64,
    /// Sum over offers of (net revenue of the offer)², for the revenue-per-customer test.
    pub revenue_sq: i64,
    /// Sum of the triggering purchase's amount over paid offers, for order-value uplift.
    pub trigger_paid: i64,
}

fn ratio(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// One step of an offer's funnel (created → shown → accepted → paid).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FunnelStep {
    pub count: i64,
    /// Its share of offers created: the bar's length.
    pub of_created: Option<f64>,
    /// Its share of the step before, where offers were lost ("accepted of shown" is the take
    /// rate, "paid of shown" the table's conversion has the same basis). `None` for the first.
    pub of_previous: Option<f64>,
}

impl Counts {
    /// The funnel's four steps, in order.
    pub fn funnel(&self) -> [FunnelStep; 4] {
        let counts = [self.created, self.shown, self.accepted, self.paid];
        std::array::from_fn(|i| FunnelStep {
            count: counts[i],
            of_created: ratio(counts[i], self.created),
            of_previous: i.checked_sub(1).and_then(|p| ratio(counts[i], counts[p])),
        })
    }

    /// The change one event makes. `net_before` is the offer's net revenue before this event
    /// (paid minus refunded so far), so the sum of squares stays exact whatever the order.
    pub fn for_event(kind: EventKind, amount: i64, trigger_amount: i64, net_before: i64) -> Self {
        let mut c = Counts::default();
        let net_after = match kind {
            EventKind::Paid => net_before + amount,
            EventKind::Refunded => net_before - amount,
            EventKind::RefundFailed => net_before + amount,
            _ => net_before,
        };
        c.revenue_sq = net_after * net_after - net_before * net_before;
        match kind {
            EventKind::Created => c.created = 1,
            EventKind::Shown => c.shown = 1,
            EventKind::Accepted => c.accepted = 1,
            EventKind::Paid => {
                c.paid = 1;
                c.revenue = amount;
                c.trigger_paid = trigger_amount;
            }
            EventKind::Failed => c.failed = 1,
            EventKind::Declined => c.declined = 1,
            EventKind::Expired => c.expired = 1,
            EventKind::Fallback => c.fallback = 1,
            EventKind::Refunded => {
                c.refunds = 1;
                c.refunded = amount;
            }
            EventKind::RefundFailed => {
                c.refunds = -1;
                c.refunded = -amount;
            }
        }
        c
    }

    pub fn add(&mut self, o: &Counts) {
        self.created += o.created;
        self.shown += o.shown;
        self.accepted += o.accepted;
        self.paid += o.paid;
        self.declined += o.declined;
        self.failed += o.failed;
        self.expired += o.expired;
        self.fallback += o.fallback;
        self.refunds += o.refunds;
        self.revenue += o.revenue;
        self.refunded += o.refunded;
        self.revenue_sq += o.revenue_sq;
        self.trigger_paid += o.trigger_paid;
    }

    /// Paid minus refunded.
    pub fn net_revenue(&self) -> i64 {
        self.revenue - self.refunded
    }
    /// Accepted ÷ shown.
    pub fn take_rate(&self) -> Option<f64> {
        ratio(self.accepted, self.shown)
    }
    /// Paid ÷ shown.
    pub fn conversion(&self) -> Option<f64> {
        ratio(self.paid, self.shown)
    }
    /// 95% Wilson interval of the conversion.
    pub fn conversion_ci(&self) -> Option<(f64, f64)> {
        wilson(self.paid.min(self.shown), self.shown)
    }
    /// Net revenue per offer shown, in minor units.
    pub fn revenue_per_shown(&self) -> Option<f64> {
        ratio(self.net_revenue(), self.shown)
    }
    /// How much a converted offer added to the order it followed: offer revenue ÷ the
    /// original orders' value (0.25 = the average converted order grew by 25%).
    pub fn aov_uplift(&self) -> Option<f64> {
        ratio(self.revenue, self.trigger_paid)
    }
    /// Failed charges ÷ charge attempts (accepts).
    pub fn failure_rate(&self) -> Option<f64> {
        ratio(self.failed, self.accepted)
    }
}

/// One stored rollup row: `bucket` is a UTC day or a quarter-hour, by the table it is from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollup {
    pub bucket: i64,
    pub rule_id: String,
    pub variant: Variant,
    pub currency: String,
    pub counts: Counts,
}

/// Failed charges of one rule in one bucket (UTC day or quarter-hour) with one decline code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclineCount {
    pub bucket: i64,
    pub rule_id: String,
    pub code: String,
    pub count: i64,
}

/// One rule, arm and currency, summed over the report's range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub rule_id: String,
    pub variant: Variant,
    pub currency: String,
    pub counts: Counts,
}

/// One day of the trend in one currency: the offers the filters keep, hold-out excluded.
/// A UTC day (or quarter-hour) as read from the database, a local day in `RangeData`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTotal {
    pub day: i64,
    pub currency: String,
    pub shown: i64,
    pub paid: i64,
    pub revenue: i64,
}

/// Failed charges of one rule with one decline code, summed over the range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeCount {
    pub rule_id: String,
    pub code: String,
    pub count: i64,
}

/// The range's rollups as the report reads them: summed by the database, so the report
/// reads tens of rows (rules × arms, plus days) rather than every rule's every day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeData {
    pub cells: Vec<Cell>,
    pub days: Vec<DayTotal>,
    pub declines: Vec<CodeCount>,
}

/// What the report needs to know about a rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub kind: Option<RuleKind>,
    pub trigger_product_id: String,
    pub offer_product_id: String,
    pub experiment: bool,
}

/// The page's query, as strings so it lives in the URL unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    /// First day, `YYYY-MM-DD`, inclusive. Empty with `to` empty: the last 30 days.
    #[serde(default)]
    pub from: String,
    /// Last day, inclusive.
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub trigger: String,
    #[serde(default)]
    pub offered: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub desc: bool,
    /// The viewer's IANA time zone (`Asia/Kolkata`); days run midnight to midnight there.
    /// Empty: the zone the browser last reported, else UTC.
    #[serde(default)]
    pub tz: String,
}

/// Columns the table sorts by.
pub const SORT_KEYS: [&str; 12] = [
    "name",
    "created",
    "shown",
    "accepted",
    "paid",
    "declined",
    "failed",
    "take_rate",
    "conversion",
    "revenue",
    "revenue_per_shown",
    "uplift",
];

/// A checked query: days as day numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    pub from_day: i64,
    pub to_day: i64,
    /// Local midnight (UTC ms) of each day `from_day..=to_day + 1`: UTC midnights unless
    /// `in_zone` set the viewer's.
    pub starts: Vec<i64>,
    /// The zone's name as shown to the viewer.
    pub zone: String,
    pub kind: Option<RuleKind>,
    pub filters: Filters,
}

impl Filters {
    /// Checks the query; the message says what to change.
    pub fn check(&self) -> Result<Window, (&'static str, String)> {
        let from = parse_date(&self.from).ok_or((
            "from",
            "The start date is not a date: use the date picker (YYYY-MM-DD).".to_string(),
        ))?;
        let to = parse_date(&self.to).ok_or((
            "to",
            "The end date is not a date: use the date picker (YYYY-MM-DD).".to_string(),
        ))?;
        if to < from {
            return Err((
                "to",
                "The end date is before the start date: pick an end date on or after the start."
                    .to_string(),
            ));
        }
        if to - from + 1 > MAX_RANGE_DAYS {
            return Err((
                "from",
                format!("Pick a range of at most {MAX_RANGE_DAYS} days."),
            ));
        }
        let kind = match self.kind.as_str() {
            "" => None,
            k => Some(RuleKind::parse(k).ok_or((
                "kind",
                "Unknown offer kind: choose upsell, cross-sell or downsell.".to_string(),
            ))?),
        };
        if !self.sort.is_empty() && !SORT_KEYS.contains(&self.sort.as_str()) {
            return Err(("sort", "Unknown sort column.".to_string()));
        }
        if self.tz.len() > 64
            || self
                .tz
                .chars()
                .any(|c| !(c.is_ascii_alphanumeric() || "_/+-".contains(c)))
        {
            return Err((
                "tz",
                "Unknown time zone: use a name such as Europe/Berlin, or clear it for UTC."
                    .to_string(),
            ));
        }
        for (field, v) in [
            ("trigger", &self.trigger),
            ("offered", &self.offered),
            ("currency", &self.currency),
        ] {
            if v.len() > 64 || v.chars().any(|c| !(c.is_ascii_alphanumeric() || c == '_')) {
                return Err((
                    field,
                    "This filter value is not valid; clear it.".to_string(),
                ));
            }
        }
        Ok(Window {
            from_day: from,
            to_day: to,
            starts: (from..=to + 1).map(|d| d * DAY_MS).collect(),
            zone: "UTC".to_string(),
            kind,
            filters: self.clone(),
        })
    }
}

impl Window {
    /// The same days in another zone: `midnight(day)` is the UTC ms of that day's local start.
    pub fn in_zone(mut self, zone: &str, midnight: impl Fn(i64) -> i64) -> Self {
        self.starts = (self.from_day..=self.to_day + 1).map(midnight).collect();
        self.zone = zone.to_string();
        self
    }
}

/// One row of the table: one rule in one currency, both arms together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferRow {
    pub rule_id: String,
    pub name: String,
    pub kind: Option<RuleKind>,
    pub trigger: String,
    pub offered: String,
    pub currency: String,
    pub counts: Counts,
}

impl OfferRow {
    /// A free-time save rule offers no other product: it keeps the plan held (a total row
    /// offers nothing at all).
    pub fn offers_free_time(&self) -> bool {
        self.kind.is_some() && self.offered.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub day: i64,
    pub label: String,
    pub shown: i64,
    pub paid: i64,
    /// Net revenue in the trend's currency.
    pub revenue: i64,
}

/// The most days the trend chart draws one by one; a longer range is drawn by week.
pub const CHART_MAX_DAYS: usize = 92;

/// The trend as the chart draws it: day by day up to `CHART_MAX_DAYS`, else seven days summed
/// per point, labelled "first – last" (a year is 53 points to read and tab through, not 365).
pub fn chart_points(days: &[TrendPoint]) -> Vec<TrendPoint> {
    if days.len() <= CHART_MAX_DAYS {
        return days.to_vec();
    }
    days.chunks(7)
        .map(|week| {
            let (first, last) = (&week[0], &week[week.len() - 1]);
            TrendPoint {
                day: first.day,
                label: format!("{} – {}", first.label, last.label),
                shown: week.iter().map(|d| d.shown).sum(),
                paid: week.iter().map(|d| d.paid).sum(),
                revenue: week.iter().map(|d| d.revenue).sum(),
            }
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclineRow {
    pub code: String,
    pub reason: String,
    pub count: i64,
}

/// One arm of an experiment over the range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arm {
    pub variant: Variant,
    /// Customers assigned (offers made; for the hold-out, customers who got none).
    pub assigned: i64,
    pub paid: i64,
    pub net_revenue: i64,
    pub revenue_sq: i64,
}

impl Arm {
    /// An arm's customers are the offers (or hold-out records) created for it.
    pub fn from_counts(variant: Variant, c: &Counts) -> Self {
        Arm {
            variant,
            assigned: c.created,
            paid: c.paid,
            net_revenue: c.net_revenue(),
            revenue_sq: c.revenue_sq,
        }
    }
    pub fn conversion(&self) -> Option<f64> {
        ratio(self.paid, self.assigned)
    }
    pub fn revenue_per_customer(&self) -> Option<f64> {
        ratio(self.net_revenue, self.assigned)
    }
    fn moments(&self) -> Moments {
        Moments {
            n: self.assigned,
            sum: self.net_revenue as f64,
            sum_sq: self.revenue_sq as f64,
        }
    }
}

/// Arm `b` against arm `a`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArmTest {
    pub a: Variant,
    pub b: Variant,
    /// False until both arms have `MIN_ARM` customers and `MIN_CONVERSIONS` between them.
    pub enough_data: bool,
    pub conversion: Option<Comparison>,
    pub revenue: Option<Comparison>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentResult {
    pub rule_id: String,
    pub name: String,
    pub currency: String,
    pub arms: Vec<Arm>,
    pub tests: Vec<ArmTest>,
}

pub fn test_arms(a: &Arm, b: &Arm) -> ArmTest {
    let enough_data =
        a.assigned >= MIN_ARM && b.assigned >= MIN_ARM && a.paid + b.paid >= MIN_CONVERSIONS;
    ArmTest {
        a: a.variant,
        b: b.variant,
        enough_data,
        conversion: two_proportions(a.paid, a.assigned, b.paid, b.assigned),
        revenue: two_means(a.moments(), b.moments()),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub from: String,
    pub to: String,
    pub rows: Vec<OfferRow>,
    /// One total row per currency: revenue is never summed across currencies.
    pub totals: Vec<OfferRow>,
    pub trend_currency: Option<String>,
    pub trend: Vec<TrendPoint>,
    pub declines: Vec<DeclineRow>,
    pub experiments: Vec<ExperimentResult>,
    /// Filter choices: products seen in rules, currencies seen in the range.
    pub products: Vec<(String, String)>,
    pub currencies: Vec<String>,
    /// Today in the report's zone, for range presets before the browser knows its date.
    pub today: i64,
    /// The zone the days are in (`UTC`, `Asia/Kolkata`).
    pub zone: String,
    /// Save offers by cancel reason in the range.
    #[serde(default)]
    pub saves: Vec<saves::SaveRow>,
    /// Which computation this is (0 until the server stamps it): two reports with one stamp
    /// are the same data, so what was rendered from one serves the other.
    #[serde(default)]
    pub stamp: u64,
}

/// One offer in the drill-down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentOffer {
    pub customer_id: String,
    pub created_at: i64,
    pub variant: Variant,
    /// The offer's state (`paid`, `declined`, …).
    pub outcome: String,
    pub amount: i64,
    pub currency: String,
    pub failure_code: Option<String>,
}

/// A merchant-typed text (a rule or product name) as a CSV cell a spreadsheet will not run:
/// OWASP's rule for CSV injection — a cell starting with `=`, `+`, `-`, `@`, tab or carriage
/// return is prefixed with `'` so it is read as text, not as a formula. Only text columns pass
/// through here, so negative amounts stay numbers.
pub fn csv_text(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// The CSV export: exactly the table's rows and totals, in the table's order.
pub fn csv_records(report: &Report) -> Vec<Vec<String>> {
    use super::money::format_amount;
    let pct = |v: Option<f64>| v.map_or(String::new(), |v| format!("{:.2}", v * 100.0));
    let mut out = vec![[
        "offer",
        "kind",
        "trigger_product",
        "offered_product",
        "currency",
        "created",
        "shown",
        "accepted",
        "paid",
        "declined",
        "failed",
        "expired",
        "fallback",
        "take_rate_pct",
        "conversion_pct",
        "conversion_ci_low_pct",
        "conversion_ci_high_pct",
        "revenue",
        "refunded",
        "net_revenue",
        "net_revenue_per_shown",
        "aov_uplift_pct",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()];
    for r in report.rows.iter().chain(report.totals.iter()) {
        let c = &r.counts;
        let ci = c.conversion_ci();
        out.push(vec![
            csv_text(&r.name),
            r.kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
            csv_text(&r.trigger),
            csv_text(if r.offers_free_time() {
                "free time on the current plan"
            } else {
                r.offered.as_str()
            }),
            csv_text(&r.currency),
            c.created.to_string(),
            c.shown.to_string(),
            c.accepted.to_string(),
            c.paid.to_string(),
            c.declined.to_string(),
            c.failed.to_string(),
            c.expired.to_string(),
            c.fallback.to_string(),
            pct(c.take_rate()),
            pct(c.conversion()),
            pct(ci.map(|c| c.0)),
            pct(ci.map(|c| c.1)),
            format_amount(c.revenue, &r.currency),
            format_amount(c.refunded, &r.currency),
            format_amount(c.net_revenue(), &r.currency),
            c.revenue_per_shown()
                .map(|v| format_amount(v.round() as i64, &r.currency))
                .unwrap_or_default(),
            pct(c.aov_uplift()),
        ]);
    }
    out
}
