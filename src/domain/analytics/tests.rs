use super::stats::*;
use super::*;
use crate::domain::rule::RuleKind;
use zone::{
    buckets, cover, cuts, local_day_index, local_trend, span, Piece, QUARTERS_PER_DAY, QUARTER_MS,
};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn wilson_matches_hand_computed_values() {
    // 10 of 100: p̂ = 0.1, z² = 3.8415; centre 0.11480, half-width 0.05957.
    let (lo, hi) = wilson(10, 100).unwrap();
    assert!(close(lo, 0.05523, 1e-4), "{lo}");
    assert!(close(hi, 0.17437, 1e-4), "{hi}");
    // 0 of 20: the interval still has width (Wald would give [0, 0]).
    let (lo, hi) = wilson(0, 20).unwrap();
    assert_eq!(lo, 0.0);
    assert!(close(hi, 0.16113, 1e-4), "{hi}");
    // All successes mirrors none.
    let (lo, hi) = wilson(20, 20).unwrap();
    assert!(close(lo, 1.0 - 0.16113, 1e-4) && hi == 1.0);
    assert_eq!(wilson(0, 0), None);
}

#[test]
fn normal_cdf_is_accurate() {
    assert!(close(normal_cdf(0.0), 0.5, 1e-7));
    assert!(close(normal_cdf(1.959_964), 0.975, 1e-6));
    assert!(close(normal_cdf(-2.5), 0.006_209_7, 1e-6));
    assert!(close(two_sided_p(2.5), 0.012_419, 1e-5));
}

#[test]
fn two_proportion_test_matches_hand_computation() {
    // 30/200 vs 50/200: pooled 0.2, se = sqrt(0.2·0.8·0.01) = 0.04, z = 2.5, p = 0.01242.
    let c = two_proportions(30, 200, 50, 200).unwrap();
    assert!(close(c.diff, 0.10, 1e-12));
    assert!(close(c.p_value, 0.012_419, 1e-5), "{}", c.p_value);
    // Equal rates: no evidence of a difference.
    let same = two_proportions(10, 100, 10, 100).unwrap();
    assert!(close(same.p_value, 1.0, 1e-6));
    assert_eq!(two_proportions(1, 0, 1, 10), None);
}

#[test]
fn two_means_test_matches_hand_computation() {
    // A: 100 customers, 10 paid 1000 each → mean 100, var = (10·10⁶ − 10⁸/100)/99 = 90909.09.
    // B: 100 customers, 20 paid 1000 each → mean 200, var = (2·10⁷ − 4·10⁸/100)/99 = 161616.16.
    // se = sqrt(909.0909 + 1616.1616) = 50.2519; z = 100 / 50.2519 = 1.98997; p = 0.04659.
    let a = Moments {
        n: 100,
        sum: 10_000.0,
        sum_sq: 10.0 * 1e6,
    };
    let b = Moments {
        n: 100,
        sum: 20_000.0,
        sum_sq: 20.0 * 1e6,
    };
    assert!(close(a.variance(), 90_909.09, 0.01));
    let c = two_means(a, b).unwrap();
    assert!(close(c.diff, 100.0, 1e-9));
    assert!(close(c.p_value, 0.046_59, 1e-4), "{}", c.p_value);
}

#[test]
fn event_deltas_keep_revenue_and_squares_exact_in_any_order() {
    let paid = Counts::for_event(EventKind::Paid, 4900, 2900, 0);
    assert_eq!(
        (paid.paid, paid.revenue, paid.trigger_paid, paid.revenue_sq),
        (1, 4900, 2900, 4900 * 4900)
    );
    // Partial refund after payment: net 4900 → 900.
    let refund = Counts::for_event(EventKind::Refunded, 4000, 0, 4900);
    let mut total = paid;
    total.add(&refund);
    assert_eq!(total.net_revenue(), 900);
    assert_eq!(total.revenue_sq, 900 * 900);
    // The refund's webhook arriving first ends in the same place.
    let mut reversed = Counts::for_event(EventKind::Refunded, 4000, 0, 0);
    reversed.add(&Counts::for_event(EventKind::Paid, 4900, 2900, -4000));
    assert_eq!(reversed, total);
}

#[test]
fn funnel_rates() {
    let c = Counts {
        created: 120,
        shown: 100,
        accepted: 12,
        paid: 10,
        failed: 2,
        revenue: 49_000,
        refunded: 4_900,
        trigger_paid: 29_000,
        ..Counts::default()
    };
    assert_eq!(c.take_rate(), Some(0.12));
    assert_eq!(c.conversion(), Some(0.10));
    assert_eq!(c.net_revenue(), 44_100);
    assert_eq!(c.revenue_per_shown(), Some(441.0));
    assert!(close(c.aov_uplift().unwrap(), 49_000.0 / 29_000.0, 1e-12));
    assert!(close(c.failure_rate().unwrap(), 2.0 / 12.0, 1e-12));
    assert_eq!(Counts::default().conversion(), None);
    // The funnel: bars against offers created, each step against the one before it.
    let f = c.funnel();
    assert_eq!(f.map(|s| s.count), [120, 100, 12, 10]);
    assert_eq!(f[0].of_created, Some(1.0));
    assert_eq!(f[0].of_previous, None);
    assert_eq!(f[2].of_previous, c.take_rate(), "accepted of shown");
    assert!(close(f[3].of_previous.unwrap(), 10.0 / 12.0, 1e-12));
    assert!(close(f[3].of_created.unwrap(), 10.0 / 120.0, 1e-12));
    let none = Counts::default().funnel();
    assert!(none
        .iter()
        .all(|s| s.of_created.is_none() && s.of_previous.is_none()));
}

#[test]
fn assignment_is_stable_and_follows_the_weights() {
    let mut n = [0i64; 3];
    for i in 0..20_000 {
        let cus = format!("cus_{i}");
        let v = assign(&cus, "rul_x", 30, 10);
        assert_eq!(v, assign(&cus, "rul_x", 30, 10));
        n[Variant::ALL.iter().position(|x| *x == v).unwrap()] += 1;
    }
    // 10% held out; of the rest 30% B: 27% B, 63% A (±1.5 points).
    assert!((1_700..=2_300).contains(&n[2]), "{n:?}");
    assert!((5_100..=5_700).contains(&n[1]), "{n:?}");
    assert_eq!(assign("cus_1", "rul_x", 0, 0), Variant::A);
    assert_eq!(assign("cus_1", "rul_x", 100, 0), Variant::B);
    assert_eq!(assign("cus_1", "rul_x", 50, 100), Variant::Holdout);
}

#[test]
fn filters_are_checked() {
    let ok = Filters {
        from: "2026-11-01".into(),
        to: "2026-11-30".into(),
        ..Filters::default()
    };
    let w = ok.check().unwrap();
    assert_eq!(w.to_day - w.from_day, 29);
    let bad = |f: Filters| f.check().unwrap_err().0;
    assert_eq!(
        bad(Filters {
            to: "2026-10-01".into(),
            ..ok.clone()
        }),
        "to"
    );
    assert_eq!(
        bad(Filters {
            from: "2026-02-30".into(),
            ..ok.clone()
        }),
        "from"
    );
    assert_eq!(
        bad(Filters {
            from: "2024-01-01".into(),
            ..ok.clone()
        }),
        "from"
    );
    assert_eq!(
        bad(Filters {
            kind: "nope".into(),
            ..ok.clone()
        }),
        "kind"
    );
    assert_eq!(
        bad(Filters {
            sort: "drop table".into(),
            ..ok.clone()
        }),
        "sort"
    );
    assert_eq!(
        bad(Filters {
            currency: "US D".into(),
            ..ok.clone()
        }),
        "currency"
    );
}

fn rule(id: &str, kind: RuleKind, experiment: bool) -> RuleInfo {
    RuleInfo {
        id: id.into(),
        name: format!("Rule {id}"),
        kind: Some(kind),
        trigger_product_id: "pdt_T".into(),
        offer_product_id: format!("pdt_{id}"),
        experiment,
    }
}

/// A quarter-hour row at the start of UTC day `day`.
fn roll(day: i64, rule: &str, variant: Variant, currency: &str, c: Counts) -> Rollup {
    Rollup {
        bucket: day * QUARTERS_PER_DAY,
        rule_id: rule.into(),
        variant,
        currency: currency.into(),
        counts: c,
    }
}

#[test]
fn report_keeps_currencies_apart_sorts_and_totals() {
    let w = Filters {
        from: "1970-01-02".into(),
        to: "1970-01-04".into(),
        ..Filters::default()
    }
    .check()
    .unwrap();
    let c = |shown, paid, revenue| Counts {
        created: shown,
        shown,
        accepted: paid,
        paid,
        revenue,
        ..Counts::default()
    };
    let rollups = vec![
        roll(1, "r1", Variant::A, "USD", c(100, 10, 49_000)),
        roll(2, "r1", Variant::A, "USD", c(50, 5, 24_500)),
        roll(2, "r2", Variant::A, "EUR", c(40, 8, 16_000)),
        roll(3, "r3", Variant::A, "USD", c(10, 3, 1_900)),
        // Outside the window: ignored.
        roll(9, "r1", Variant::A, "USD", c(1_000, 1_000, 1)),
    ];
    let declines = vec![
        DeclineCount {
            bucket: QUARTERS_PER_DAY,
            rule_id: "r1".into(),
            code: "INSUFFICIENT_FUNDS".into(),
            count: 3,
        },
        DeclineCount {
            bucket: 2 * QUARTERS_PER_DAY,
            rule_id: "r2".into(),
            code: "EXPIRED_CARD".into(),
            count: 5,
        },
        DeclineCount {
            bucket: 3 * QUARTERS_PER_DAY,
            rule_id: "r1".into(),
            code: "INSUFFICIENT_FUNDS".into(),
            count: 4,
        },
    ];
    let rules = vec![
        rule("r1", RuleKind::Upsell, false),
        rule("r2", RuleKind::CrossSell, false),
    ];
    let r = report(&w, &rules, &rollups, &declines);
    let names: Vec<&str> = r.rows.iter().map(|r| r.name.as_str()).collect();
    // Default: largest revenue first; r3 was deleted but its history stays.
    assert_eq!(names, ["Rule r1", "Rule r2", "Deleted rule r3"]);
    assert_eq!(r.rows[0].counts.shown, 150);
    assert_eq!(r.totals.len(), 2);
    let usd = r.totals.iter().find(|t| t.currency == "USD").unwrap();
    assert_eq!(
        (usd.counts.shown, usd.counts.paid, usd.counts.net_revenue()),
        (160, 18, 75_400)
    );
    assert_eq!(r.trend_currency.as_deref(), Some("USD"));
    assert_eq!(r.trend.len(), 3);
    assert_eq!(
        (
            r.trend[1].label.as_str(),
            r.trend[1].shown,
            r.trend[1].paid,
            r.trend[1].revenue
        ),
        ("1970-01-03", 90, 13, 24_500)
    );
    assert_eq!(r.declines[0].code, "INSUFFICIENT_FUNDS");
    assert_eq!(r.declines[0].count, 7);

    let by = |sort: &str, desc: bool, kind: &str| {
        let w = Filters {
            from: "1970-01-02".into(),
            to: "1970-01-04".into(),
            sort: sort.into(),
            desc,
            kind: kind.into(),
            ..Filters::default()
        }
        .check()
        .unwrap();
        report(&w, &rules, &rollups, &declines)
            .rows
            .into_iter()
            .map(|r| r.rule_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(by("conversion", false, ""), ["r3", "r2", "r1"]);
    assert_eq!(by("conversion", true, ""), ["r1", "r2", "r3"]);
    assert_eq!(by("name", false, ""), ["r3", "r1", "r2"]);
    assert_eq!(by("", false, "cross_sell"), ["r2"]);
}

#[test]
fn experiments_compare_arms_and_wait_for_data() {
    let w = Filters {
        from: "1970-01-01".into(),
        to: "1970-01-01".into(),
        ..Filters::default()
    }
    .check()
    .unwrap();
    let arm = |created, paid, amount: i64| Counts {
        created,
        shown: created,
        paid,
        revenue: paid * amount,
        revenue_sq: paid * amount * amount,
        ..Counts::default()
    };
    let rules = vec![rule("r1", RuleKind::Upsell, true)];
    let small = vec![
        roll(0, "r1", Variant::A, "USD", arm(40, 2, 1000)),
        roll(0, "r1", Variant::B, "USD", arm(40, 6, 1000)),
        roll(0, "r1", Variant::Holdout, "USD", arm(10, 0, 1000)),
    ];
    let r = report(&w, &rules, &small, &[]);
    assert_eq!(
        r.rows[0].counts.created, 80,
        "the hold-out is not part of the offer's funnel"
    );
    let e = &r.experiments[0];
    assert_eq!(e.arms.len(), 3);
    assert!(e.tests.iter().all(|t| !t.enough_data));
    let big = vec![
        roll(0, "r1", Variant::A, "USD", arm(200, 30, 1000)),
        roll(0, "r1", Variant::B, "USD", arm(200, 50, 1000)),
    ];
    let r = report(&w, &rules, &big, &[]);
    let t = &r.experiments[0].tests[0];
    assert!(t.enough_data);
    assert_eq!((t.a, t.b), (Variant::A, Variant::B));
    assert!(close(t.conversion.unwrap().p_value, 0.012_419, 1e-5));
    assert!(close(t.revenue.unwrap().diff, 100.0, 1e-9));
}

#[test]
fn csv_has_the_table_rows_then_totals() {
    let w = Filters {
        from: "1970-01-01".into(),
        to: "1970-01-01".into(),
        ..Filters::default()
    }
    .check()
    .unwrap();
    let rules = vec![rule("r1", RuleKind::Upsell, false)];
    let c = Counts {
        created: 10,
        shown: 10,
        accepted: 2,
        paid: 1,
        revenue: 4900,
        refunded: 900,
        trigger_paid: 2900,
        ..Counts::default()
    };
    let r = report(&w, &rules, &[roll(0, "r1", Variant::A, "USD", c)], &[]);
    let rows = csv_records(&r);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][0], "offer");
    assert_eq!(rows[1][0], "Rule r1");
    assert_eq!(rows[1][13], "20.00");
    assert_eq!(rows[1][14], "10.00");
    assert_eq!(rows[1][19], "40.00");
    assert_eq!(rows[2][0], "Total");
    assert_eq!(rows[1][3], "pdt_r1");
    // A free-time save rule offers no other product: the cell says what it offers.
    let mut free = rule("s1", RuleKind::Save, false);
    free.offer_product_id.clear();
    let r = report(&w, &[free], &[roll(0, "s1", Variant::A, "USD", c)], &[]);
    assert_eq!(csv_records(&r)[1][3], "free time on the current plan");
}

#[test]
fn failed_charges_by_reason_follow_the_currency_filter() {
    let failed = |n| Counts {
        created: n,
        shown: n,
        accepted: n,
        failed: n,
        ..Counts::default()
    };
    let rollups = vec![
        roll(1, "r1", Variant::A, "USD", failed(7)),
        roll(1, "r2", Variant::A, "EUR", failed(5)),
        // A rule whose failures were in two currencies: its codes cannot be split.
        roll(1, "r3", Variant::A, "USD", failed(1)),
        roll(1, "r3", Variant::A, "EUR", failed(1)),
    ];
    let code = |rule: &str, code: &str, count| DeclineCount {
        bucket: QUARTERS_PER_DAY,
        rule_id: rule.into(),
        code: code.into(),
        count,
    };
    let declines = vec![
        code("r1", "INSUFFICIENT_FUNDS", 7),
        code("r2", "EXPIRED_CARD", 5),
        code("r3", "DO_NOT_HONOR", 2),
    ];
    let rules = vec![
        rule("r1", RuleKind::Upsell, false),
        rule("r2", RuleKind::Upsell, false),
        rule("r3", RuleKind::Upsell, false),
    ];
    let codes = |currency: &str| {
        let w = Filters {
            from: "1970-01-02".into(),
            to: "1970-01-02".into(),
            currency: currency.into(),
            ..Filters::default()
        }
        .check()
        .unwrap();
        report(&w, &rules, &rollups, &declines)
            .declines
            .into_iter()
            .map(|d| (d.code, d.count))
            .collect::<Vec<_>>()
    };
    let all = codes("");
    assert_eq!(all.len(), 3, "{all:?}");
    assert_eq!(
        codes("EUR"),
        [
            ("EXPIRED_CARD".to_string(), 5),
            ("DO_NOT_HONOR".to_string(), 2)
        ]
    );
    assert_eq!(
        codes("USD"),
        [
            ("INSUFFICIENT_FUNDS".to_string(), 7),
            ("DO_NOT_HONOR".to_string(), 2)
        ]
    );
}

/// The report as the server builds it: the database's sums (here their reference) first.
fn report(w: &Window, rules: &[RuleInfo], rollups: &[Rollup], declines: &[DeclineCount]) -> Report {
    build_report(w, 0, rules, &[], &range_data(w, rules, rollups, declines))
}

#[test]
fn spans_read_whole_days_and_ragged_ends() {
    let q = |h: i64, m: i64| (h * 60 + m) * 60_000;
    let p = |size, lo, hi, sign| Piece { size, lo, hi, sign };
    let d = 20_416;
    // Midnight in Kolkata is 18:30Z: the start reads 18:30-19:00 as quarters, 19:00-20:00 as
    // an hour and 20:00-24:00 as a four-hour block; the end reads its whole day minus those.
    let s = span(d * DAY_MS + q(18, 30), (d + 3) * DAY_MS + q(18, 30));
    let tail = |day: i64, sign| {
        [
            p(1, day * 96 + 74, day * 96 + 76, sign),
            p(4, day * 24 + 19, day * 24 + 20, sign),
            p(16, day * 6 + 5, day * 6 + 6, sign),
        ]
    };
    let mut want = tail(d, 1).to_vec();
    want.push(p(96, d + 1, d + 4, 1));
    want.extend(tail(d + 3, -1));
    assert_eq!(s, want);
    // New York (05:00Z): the whole first day minus its first five hours (a block and an
    // hour), plus those five hours of the last day.
    let s = span(d * DAY_MS + q(5, 0), (d + 2) * DAY_MS + q(5, 0));
    assert_eq!(
        s,
        [
            p(96, d, d + 2, 1),
            p(16, (d + 2) * 6, (d + 2) * 6 + 1, 1),
            p(4, (d + 2) * 24 + 4, (d + 2) * 24 + 5, 1),
            p(16, d * 6, d * 6 + 1, -1),
            p(4, d * 24 + 4, d * 24 + 5, -1),
        ]
    );
    // UTC midnights: days only.
    assert_eq!(span(d * DAY_MS, (d + 2) * DAY_MS), [p(96, d, d + 2, 1)]);
    // Every span, summed over its pieces, covers each of its quarters exactly once, and no
    // ragged end reads more than 6 buckets.
    for a in 0..96 {
        for b in [a + 1, a + 37, 96 + 50, 96 * 3 + 5, 96 * 4] {
            let s = span((d * 96 + a) * QUARTER_MS, (d * 96 + b) * QUARTER_MS);
            for x in (d - 1) * 96..(d + 6) * 96 {
                let got: i64 = s
                    .iter()
                    .filter(|p| (p.lo * p.size..p.hi * p.size).contains(&x))
                    .map(|p| p.sign)
                    .sum();
                let inside = i64::from((d * 96 + a..d * 96 + b).contains(&x));
                assert_eq!(got, inside, "span {a}..{b}, quarter {x}");
            }
            let fine = s
                .iter()
                .filter(|p| p.size < 96)
                .copied()
                .collect::<Vec<_>>();
            assert!(buckets(&fine) <= 12, "span {a}..{b}: {s:?}");
        }
    }
}

/// The trend from whole days plus heads or tails equals putting every quarter in its local day.
#[test]
fn local_trend_equals_brute_force() {
    // Quarter-hour data over 12 UTC days: varying amounts, two currencies.
    let first_day = 20_400;
    let quarters: Vec<(i64, &str, i64)> = (first_day * 96..(first_day + 12) * 96)
        .flat_map(|q| {
            [
                (q, "USD", (q * 7919) % 13),
                (q, "EUR", if q % 5 == 0 { (q * 31) % 7 } else { 0 }),
            ]
        })
        .filter(|t| t.2 != 0)
        .collect();
    // Offsets in minutes east of UTC, per local day: Kolkata, Kathmandu, New York with a
    // clock change mid-range, Chatham (+13:45), and UTC.
    let zones: Vec<Vec<i64>> = vec![
        vec![330; 9],
        vec![345; 9],
        [vec![-240; 4], vec![-300; 5]].concat(),
        vec![825; 9],
        vec![0; 9],
        [vec![60; 3], vec![120; 6]].concat(),
    ];
    for offsets in zones {
        let from_day = first_day + 1;
        // starts[i] = local midnight of day from_day + i, by the offset in force that day.
        let starts: Vec<i64> = (0..offsets.len())
            .map(|i| (from_day + i as i64) * DAY_MS - offsets[i] * 60_000)
            .collect();
        let mut daily: Vec<DayTotal> = Vec::new();
        let mut brute: std::collections::BTreeMap<(i64, String), i64> = Default::default();
        for (q, cur, n) in &quarters {
            let day = q.div_euclid(QUARTERS_PER_DAY);
            match daily
                .iter_mut()
                .find(|d| d.day == day && d.currency == *cur)
            {
                Some(d) => d.shown += n,
                None => daily.push(DayTotal {
                    day,
                    currency: cur.to_string(),
                    shown: *n,
                    paid: 0,
                    revenue: 0,
                }),
            }
            if let Some(i) = local_day_index(&starts, q * QUARTER_MS) {
                *brute
                    .entry((from_day + i as i64, cur.to_string()))
                    .or_default() += n;
            }
        }
        let parts: Vec<Vec<DayTotal>> = cuts(&starts)
            .iter()
            .map(|c| {
                let mut out: Vec<DayTotal> = Vec::new();
                for (q, cur, n) in &quarters {
                    let (day, within) = (q.div_euclid(96), q.rem_euclid(96));
                    let keep = (c.first..=c.last).contains(&day)
                        && if c.head {
                            within < c.cut
                        } else {
                            within >= c.cut
                        };
                    if !keep {
                        continue;
                    }
                    match out.iter_mut().find(|d| d.day == day && d.currency == *cur) {
                        Some(d) => d.shown += n,
                        None => out.push(DayTotal {
                            day,
                            currency: cur.to_string(),
                            shown: *n,
                            paid: 0,
                            revenue: 0,
                        }),
                    }
                }
                out
            })
            .collect();
        // No run reads more than 6 buckets a day.
        assert!(cuts(&starts).iter().all(|c| buckets(&c.pieces()) <= 6));
        let got: std::collections::BTreeMap<(i64, String), i64> =
            local_trend(&starts, from_day, &daily, &parts)
                .into_iter()
                .map(|d| ((d.day, d.currency), d.shown))
                .collect();
        assert_eq!(got, brute, "offsets {offsets:?}");
        assert!(!got.is_empty());
    }
}

/// `cover` tiles any range exactly, and a run's pieces are exactly its head or its tail.
#[test]
fn covers_tile_ranges_and_cuts() {
    for a in 0..200 {
        for b in a..200 {
            let c = cover(a, b, 1);
            for x in 0..200 {
                let n = c
                    .iter()
                    .filter(|p| (p.lo * p.size..p.hi * p.size).contains(&x))
                    .count();
                assert_eq!(n, usize::from((a..b).contains(&x)), "cover {a}..{b}");
            }
        }
    }
    let d = 20_416;
    for cut in 0..96 {
        let run = &cuts(&[(d * 96 + cut) * QUARTER_MS])[0];
        let read: Vec<i64> = run
            .pieces()
            .iter()
            .flat_map(|p| p.lo * p.size..p.hi * p.size)
            .collect();
        let want: Vec<i64> = if run.head {
            (0..cut).collect()
        } else {
            (cut..96).collect()
        };
        assert_eq!(read, want, "cut {cut}");
    }
    // Kolkata's midnight (18:30Z) is read as its tail: 2 quarters, an hour, a block.
    let run = &cuts(&[(d * 96 + 74) * QUARTER_MS])[0];
    assert!(!run.head);
    assert_eq!(buckets(&run.pieces()), 4);
}

#[test]
fn csv_text_cells_cannot_be_formulas() {
    for bad in [
        "=HYPERLINK(\"http://x\",\"y\")",
        "+1",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "\rx",
    ] {
        let cell = csv_text(bad);
        assert_eq!(cell, format!("'{bad}"), "{bad:?}");
    }
    for plain in ["Basic → Pro", "", "Template pack", "1 = 1"] {
        assert_eq!(csv_text(plain), plain);
    }
}

fn point(i: i64) -> TrendPoint {
    TrendPoint {
        day: i,
        label: format!("d{i}"),
        shown: 10,
        paid: 1,
        revenue: 100,
    }
}

#[test]
fn a_long_range_is_drawn_by_week() {
    let month: Vec<TrendPoint> = (0..30).map(point).collect();
    assert_eq!(chart_points(&month), month, "30 days stay days");
    let year: Vec<TrendPoint> = (0..365).map(point).collect();
    let weeks = chart_points(&year);
    assert_eq!(weeks.len(), 53);
    assert_eq!(weeks[0].label, "d0 – d6");
    assert_eq!(
        (weeks[0].shown, weeks[0].paid, weeks[0].revenue),
        (70, 7, 700)
    );
    let tail = weeks.last().unwrap();
    assert_eq!(
        (tail.label.as_str(), tail.shown),
        ("d364 – d364", 10),
        "a short last week"
    );
    assert_eq!(
        weeks.iter().map(|w| w.revenue).sum::<i64>(),
        36_500,
        "nothing lost"
    );
}
