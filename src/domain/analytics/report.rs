//! From a range's summed rollups to what the page shows: the cells are grouped per rule and
//! currency with one slot per arm; the table, totals and experiments are read off that.
use super::zone::{local_day_index, QUARTER_MS};
use super::{
    test_arms, Arm, Cell, CodeCount, Counts, DayTotal, DeclineCount, DeclineRow, ExperimentResult,
    OfferRow, RangeData, Report, Rollup, RuleInfo, TrendPoint, Variant, Window,
};
use crate::domain::offer::decline_reason;
use crate::domain::rule::ProductSummary;
use crate::domain::time::format_date;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// Rules by id; a rule deleted since its offers were made gets a stand-in, so its history
/// stays in the table.
struct Rules<'a>(HashMap<&'a str, &'a RuleInfo>);

impl<'a> Rules<'a> {
    fn new(rules: &'a [RuleInfo]) -> Self {
        Rules(rules.iter().map(|r| (r.id.as_str(), r)).collect())
    }
    fn get(&self, id: &str) -> Cow<'a, RuleInfo> {
        match self.0.get(id) {
            Some(r) => Cow::Borrowed(*r),
            None => Cow::Owned(RuleInfo {
                id: id.to_string(),
                name: format!("Deleted rule {id}"),
                kind: None,
                trigger_product_id: String::new(),
                offer_product_id: String::new(),
                experiment: false,
            }),
        }
    }
}

impl Window {
    /// The rules the filters keep, or `None` when they keep every rule (deleted ones too).
    pub fn rule_ids(&self, rules: &[RuleInfo]) -> Option<Vec<String>> {
        let f = &self.filters;
        if self.kind.is_none() && f.trigger.is_empty() && f.offered.is_empty() {
            return None;
        }
        Some(
            rules
                .iter()
                .filter(|r| passes(self, r, None))
                .map(|r| r.id.clone())
                .collect(),
        )
    }
}

/// What the database's sums give for `w`, computed the plain way from the stored
/// quarter-hour rows (each put in the local day holding it): the reference the SQL in
/// `server::rollups::load_range`, which reads day rows wherever it can, is checked against.
pub fn range_data(
    w: &Window,
    rules: &[RuleInfo],
    quarters: &[Rollup],
    declines: &[DeclineCount],
) -> RangeData {
    let local = |q: i64| local_day_index(&w.starts, q * QUARTER_MS).map(|i| w.from_day + i as i64);
    let kept = w.rule_ids(rules);
    let keeps = |rule: &str, currency: Option<&str>| {
        kept.as_ref().is_none_or(|k| k.iter().any(|r| r == rule))
            && (w.filters.currency.is_empty() || currency.is_none_or(|c| c == w.filters.currency))
    };
    let mut cells: BTreeMap<(&str, Variant, &str), Counts> = BTreeMap::new();
    let mut days: BTreeMap<(i64, &str), DayTotal> = BTreeMap::new();
    for (day, r) in quarters.iter().filter_map(|r| Some((local(r.bucket)?, r))) {
        cells
            .entry((&r.rule_id, r.variant, &r.currency))
            .or_default()
            .add(&r.counts);
        if r.variant != Variant::Holdout && keeps(&r.rule_id, Some(&r.currency)) {
            let d = days.entry((day, &r.currency)).or_insert(DayTotal {
                day,
                currency: r.currency.clone(),
                shown: 0,
                paid: 0,
                revenue: 0,
            });
            d.shown += r.counts.shown;
            d.paid += r.counts.paid;
            d.revenue += r.counts.net_revenue();
        }
    }
    let mut codes: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for d in declines.iter().filter(|d| local(d.bucket).is_some()) {
        *codes.entry((&d.rule_id, &d.code)).or_default() += d.count;
    }
    RangeData {
        cells: cells
            .into_iter()
            .map(|((rule_id, variant, currency), counts)| Cell {
                rule_id: rule_id.into(),
                variant,
                currency: currency.into(),
                counts,
            })
            .collect(),
        // A day where the kept offers were only created has nothing to plot.
        days: days
            .into_values()
            .filter(|d| d.shown != 0 || d.paid != 0 || d.revenue != 0)
            .collect(),
        declines: codes
            .into_iter()
            .map(|((rule_id, code), count)| CodeCount {
                rule_id: rule_id.into(),
                code: code.into(),
                count,
            })
            .collect(),
    }
}

/// The filters, bar the currency when `currency` is `None` (decline codes have none).
fn passes(w: &Window, r: &RuleInfo, currency: Option<&str>) -> bool {
    let f = &w.filters;
    (w.kind.is_none() || w.kind == r.kind)
        && (f.trigger.is_empty() || f.trigger == r.trigger_product_id)
        && (f.offered.is_empty() || f.offered == r.offer_product_id)
        && (f.currency.is_empty() || currency.is_none_or(|c| f.currency == c))
}

fn product_name(products: &[ProductSummary], id: &str) -> String {
    products
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| id.to_string())
}

fn sort_value(row: &OfferRow, key: &str) -> f64 {
    let c = &row.counts;
    let v = match key {
        "created" => Some(c.created as f64),
        "shown" => Some(c.shown as f64),
        "accepted" => Some(c.accepted as f64),
        "paid" => Some(c.paid as f64),
        "declined" => Some(c.declined as f64),
        "failed" => Some(c.failed as f64),
        "take_rate" => c.take_rate(),
        "conversion" => c.conversion(),
        "revenue" => Some(c.net_revenue() as f64),
        "revenue_per_shown" => c.revenue_per_shown(),
        "uplift" => c.aov_uplift(),
        _ => None,
    };
    v.unwrap_or(-1.0)
}

/// Names A–Z, numbers largest first (ties by name); `desc` flips either.
fn sort_rows(rows: &mut [OfferRow], sort: &str, desc: bool) {
    let key = if sort.is_empty() { "revenue" } else { sort };
    if key == "name" {
        rows.sort_by_key(|r| r.name.to_lowercase());
    } else {
        rows.sort_by(|a, b| {
            sort_value(b, key)
                .total_cmp(&sort_value(a, key))
                .then_with(|| a.name.cmp(&b.name))
        });
    }
    if desc {
        rows.reverse();
    }
}

/// Counts per arm for one rule and currency (indexed by `Variant`).
type Arms = [Option<Counts>; 3];

/// Builds everything the page shows from the range's sums (`data.days` already filtered).
pub fn build_report(
    w: &Window,
    today: i64,
    rules: &[RuleInfo],
    products: &[ProductSummary],
    data: &RangeData,
) -> Report {
    let by_id = Rules::new(rules);
    let mut cells: BTreeMap<(&str, &str), Arms> = BTreeMap::new();
    let mut currencies: Vec<String> = Vec::new();
    for c in &data.cells {
        if !currencies.contains(&c.currency) {
            currencies.push(c.currency.clone());
        }
        if passes(w, &by_id.get(&c.rule_id), Some(&c.currency)) {
            cells.entry((&c.rule_id, &c.currency)).or_default()[c.variant.index()]
                .get_or_insert_default()
                .add(&c.counts);
        }
    }
    currencies.sort();

    let mut rows = Vec::new();
    let mut experiments = Vec::new();
    for ((rule_id, currency), arms) in &cells {
        let rule = by_id.get(rule_id);
        let [a, b, held] = arms;
        if a.is_some() || b.is_some() {
            let mut counts = a.unwrap_or_default();
            counts.add(&b.unwrap_or_default());
            rows.push(OfferRow {
                rule_id: rule.id.clone(),
                name: rule.name.clone(),
                kind: rule.kind,
                trigger: product_name(products, &rule.trigger_product_id),
                offered: product_name(products, &rule.offer_product_id),
                currency: currency.to_string(),
                counts,
            });
        }
        // A rule with an experiment now, or with a B or hold-out arm in the range (ended).
        if rule.experiment || b.is_some() || held.is_some() {
            experiments.push(experiment(&rule, currency, arms));
        }
    }
    sort_rows(&mut rows, &w.filters.sort, w.filters.desc);

    let mut totals: BTreeMap<&str, Counts> = BTreeMap::new();
    for r in &rows {
        totals.entry(&r.currency).or_default().add(&r.counts);
    }
    let totals = totals
        .into_iter()
        .map(|(currency, counts)| OfferRow {
            rule_id: String::new(),
            name: "Total".to_string(),
            kind: None,
            trigger: String::new(),
            offered: String::new(),
            currency: currency.to_string(),
            counts,
        })
        .collect::<Vec<_>>();

    // The trend's revenue is in one currency: the filtered one, else the one that earned most.
    let trend_currency = if w.filters.currency.is_empty() {
        totals
            .iter()
            .max_by_key(|t| {
                (
                    t.counts.net_revenue(),
                    std::cmp::Reverse(t.currency.clone()),
                )
            })
            .map(|t| t.currency.clone())
    } else {
        Some(w.filters.currency.clone())
    };
    let mut trend: Vec<TrendPoint> = (w.from_day..=w.to_day)
        .map(|day| TrendPoint {
            day,
            label: format_date(day),
            shown: 0,
            paid: 0,
            revenue: 0,
        })
        .collect();
    for d in &data.days {
        let Some(p) = usize::try_from(d.day - w.from_day)
            .ok()
            .and_then(|i| trend.get_mut(i))
        else {
            continue;
        };
        p.shown += d.shown;
        p.paid += d.paid;
        if trend_currency.as_ref() == Some(&d.currency) {
            p.revenue += d.revenue;
        }
    }

    let mut products_seen: Vec<(String, String)> = Vec::new();
    for r in rules {
        for id in [&r.trigger_product_id, &r.offer_product_id] {
            // Free time offers no product: nothing to filter by.
            if !id.is_empty() && !products_seen.iter().any(|(p, _)| p == id) {
                products_seen.push((id.clone(), product_name(products, id)));
            }
        }
    }
    products_seen.sort_by(|a, b| a.1.cmp(&b.1));

    Report {
        from: format_date(w.from_day),
        to: format_date(w.to_day),
        rows,
        totals,
        trend_currency,
        trend,
        declines: decline_rows(w, &by_id, &failure_currency(&data.cells), &data.declines),
        experiments,
        products: products_seen,
        currencies,
        today,
        zone: w.zone.clone(),
        saves: Vec::new(),
        stamp: 0,
    }
}

fn experiment(rule: &RuleInfo, currency: &str, arms: &Arms) -> ExperimentResult {
    let arms: Vec<Arm> = Variant::ALL
        .into_iter()
        .filter_map(|v| arms[v.index()].map(|c| Arm::from_counts(v, &c)))
        .collect();
    let find = |v: Variant| arms.iter().find(|a| a.variant == v);
    let tests = [
        (Variant::A, Variant::B),
        (Variant::Holdout, Variant::A),
        (Variant::Holdout, Variant::B),
    ]
    .into_iter()
    .filter_map(|(a, b)| Some(test_arms(find(a)?, find(b)?)))
    .collect();
    ExperimentResult {
        rule_id: rule.id.clone(),
        name: rule.name.clone(),
        currency: currency.to_string(),
        arms,
        tests,
    }
}

/// The currency of each rule's failed charges in the range, where they all share one
/// (`None` where they do not). Decline codes are summed without a currency; a rule offers one
/// product, so its failures are nearly always in one currency, and then so are its codes.
fn failure_currency(cells: &[Cell]) -> HashMap<&str, Option<&str>> {
    let mut out: HashMap<&str, Option<&str>> = HashMap::new();
    for c in cells.iter().filter(|c| c.counts.failed > 0) {
        let currency = Some(c.currency.as_str());
        out.entry(&c.rule_id)
            .and_modify(|seen| {
                if *seen != currency {
                    *seen = None;
                }
            })
            .or_insert(currency);
    }
    out
}

/// Failed charges per decline code, most frequent first. Under a currency filter a rule's
/// codes count where its failures were all in that currency, or in several (they cannot be
/// told apart then).
fn decline_rows(
    w: &Window,
    rules: &Rules<'_>,
    currency: &HashMap<&str, Option<&str>>,
    declines: &[CodeCount],
) -> Vec<DeclineRow> {
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for d in declines {
        let currency = currency.get(d.rule_id.as_str()).copied().flatten();
        if passes(w, &rules.get(&d.rule_id), currency) {
            *counts.entry(&d.code).or_default() += d.count;
        }
    }
    let mut rows: Vec<DeclineRow> = counts
        .into_iter()
        .map(|(code, count)| DeclineRow {
            reason: decline_reason(code).to_string(),
            code: code.to_string(),
            count,
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    rows
}
