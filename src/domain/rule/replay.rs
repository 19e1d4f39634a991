//! Replay: what a map (a version, or the live one) would have offered over recorded
//! purchases, and the revenue to expect from it: each offered product's observed take rate
//! (with its 95% interval) times its price. A rule that follows another is projected from
//! its rule's offers: a downsell at the rate that rule's product was declined, a next offer
//! at the rate it was paid. Pure, so the arithmetic is tested on a worked
//! example and the bench times exactly what the server runs.
use super::target::{winner, Candidate, Purchase};
use super::{ProductSummary, Rule};
use crate::domain::analytics::stats::wilson;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// A recorded purchase, as the replay reads it (in time order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastPurchase {
    pub customer_id: String,
    pub products: Vec<String>,
    pub total: i64,
    pub currency: String,
    pub country: Option<String>,
    pub quantity: i64,
    pub at_ms: i64,
}

/// How often an offered product was taken: offers made and paid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taken {
    pub offers: i64,
    pub paid: i64,
    #[serde(default)]
    pub declined: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplayLine {
    pub rule_id: String,
    pub name: String,
    pub currency: String,
    /// Offers the map would have made.
    pub offers: i64,
    /// The offered product's observed take rate, and its 95% interval (`None`: never offered).
    pub take_rate: Option<f64>,
    pub take_low: Option<f64>,
    pub take_high: Option<f64>,
    /// Minor units: offers × price × rate (and at the interval's ends).
    pub expected: i64,
    pub expected_low: i64,
    pub expected_high: i64,
    /// What the live map actually did in the same window.
    pub actual_offers: i64,
    pub actual_revenue: i64,
    /// A downsell or next offer: the rule it follows.
    #[serde(default)]
    pub follows: Option<Follows>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Follows {
    pub name: String,
    /// After an accept (a next offer); otherwise after a decline (a downsell).
    pub on_accept: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplayResult {
    pub purchases: i64,
    pub lines: Vec<ReplayLine>,
    /// Per currency: (expected, low, high, actual revenue).
    pub totals: Vec<(String, i64, i64, i64, i64)>,
}

/// Runs `rules` over `purchases` (oldest first). `returning` holds the customers who bought
/// before the window; `taken` the take rates by offered product; `actual` per rule id the
/// live map's (offers, revenue) in the window.
pub fn replay(
    rules: &[Rule],
    products: &[ProductSummary],
    purchases: &[PastPurchase],
    returning: &HashSet<String>,
    taken: &HashMap<String, Taken>,
    actual: &HashMap<String, (i64, i64)>,
) -> ReplayResult {
    // A replay asks what the map would offer, not who would say no again: no declines.
    let candidates = Candidate::of_map(rules, products, |_| false);
    let price = |id: &str| products.iter().find(|p| p.id == id);
    // Only a purchase's own products' rules and the catch-alls can answer it.
    let mut by_trigger: HashMap<&str, Vec<Candidate<'_>>> = HashMap::new();
    let mut catch_alls = Vec::new();
    for c in &candidates {
        if c.trigger == super::ANY_PRODUCT {
            catch_alls.push(c.clone());
        } else {
            by_trigger.entry(c.trigger).or_default().push(c.clone());
        }
    }
    let mut offers: HashMap<&str, i64> = HashMap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut holds: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut pool: Vec<Candidate<'_>> = Vec::new();
    for p in purchases {
        pool.clear();
        for b in &p.products {
            if let Some(cs) = by_trigger.get(b.as_str()) {
                pool.extend(cs.iter().cloned());
            }
        }
        pool.extend(catch_alls.iter().cloned());
        let held = holds.entry(p.customer_id.as_str()).or_default();
        for b in &p.products {
            held.insert(b.as_str());
        }
        if pool.is_empty() {
            seen.insert(p.customer_id.as_str());
            continue;
        }
        let purchase = Purchase {
            customer_id: p.customer_id.clone(),
            products: p.products.clone(),
            total: Some(p.total),
            currency: p.currency.clone(),
            country: p.country.clone(),
            quantity: p.quantity,
            returning: seen.contains(p.customer_id.as_str()) || returning.contains(&p.customer_id),
            holds: held.iter().map(|s| s.to_string()).collect(),
            at_ms: p.at_ms,
        };
        if let Some(id) = winner(&pool, &purchase) {
            *offers.entry(id).or_default() += 1;
        }
        seen.insert(p.customer_id.as_str());
    }
    let mut made: HashMap<&str, f64> = offers.iter().map(|(id, n)| (*id, *n as f64)).collect();
    let followers: Vec<&Rule> = rules.iter().filter(|r| r.kind.follows_a_rule()).collect();
    project_followers(rules, &followers, taken, &mut made);
    let mut lines: Vec<ReplayLine> = candidates
        .iter()
        .filter_map(|c| rules.iter().find(|r| r.id == c.id))
        .chain(followers.iter().copied())
        .map(|r| {
            let made = made.get(r.id.as_str()).copied().unwrap_or(0.0);
            let product = price(&r.offer_product_id);
            // What one accept would charge: after the rule's discount (a recurring offer may
            // become a plan change, which it does not discount; the replay counts the
            // checkout's price, as the offer is made).
            let unit = product.map_or(0, |p| {
                r.discount.apply(p.price.saturating_mul(r.quantity as i64))
            });
            let t = taken.get(&r.offer_product_id).copied().unwrap_or_default();
            let rate = (t.offers > 0).then(|| t.paid.clamp(0, t.offers) as f64 / t.offers as f64);
            let (low, high) = wilson(t.paid, t.offers).unzip();
            let value = |r: Option<f64>| (made * unit as f64 * r.unwrap_or(0.0)).round() as i64;
            let (actual_offers, actual_revenue) = actual.get(&r.id).copied().unwrap_or((0, 0));
            ReplayLine {
                rule_id: r.id.clone(),
                name: r.name.clone(),
                currency: product.map(|p| p.currency.clone()).unwrap_or_default(),
                offers: made.round() as i64,
                take_rate: rate,
                take_low: low,
                take_high: high,
                expected: value(rate),
                expected_low: value(low),
                expected_high: value(high),
                actual_offers,
                actual_revenue,
                follows: r.parent_rule_id.as_ref().and_then(|p| {
                    rules.iter().find(|x| &x.id == p).map(|x| Follows {
                        name: x.name.clone(),
                        on_accept: r.kind == super::RuleKind::Next,
                    })
                }),
            }
        })
        .collect();
    lines.sort_by(|a, b| b.expected.cmp(&a.expected).then(a.name.cmp(&b.name)));
    let mut totals: Vec<(String, i64, i64, i64, i64)> = Vec::new();
    for l in &lines {
        match totals.iter_mut().find(|t| t.0 == l.currency) {
            Some(t) => {
                t.1 += l.expected;
                t.2 += l.expected_low;
                t.3 += l.expected_high;
                t.4 += l.actual_revenue;
            }
            None => totals.push((
                l.currency.clone(),
                l.expected,
                l.expected_low,
                l.expected_high,
                l.actual_revenue,
            )),
        }
    }
    ReplayResult {
        purchases: purchases.len() as i64,
        lines,
        totals,
    }
}

/// Offers the downsells and next offers would have made: each from its rule's (projected)
/// offers, times the share of the rule's product's offers that were declined (a downsell) or
/// paid (a next offer). Parents first: a chain is at most `CHAIN_MAX` offers long.
fn project_followers<'a>(
    rules: &'a [Rule],
    followers: &[&'a Rule],
    taken: &HashMap<String, Taken>,
    made: &mut HashMap<&'a str, f64>,
) {
    for _ in 0..super::chain::CHAIN_MAX {
        for f in followers {
            if made.contains_key(f.id.as_str()) {
                continue;
            }
            let Some(parent) = f
                .parent_rule_id
                .as_ref()
                .and_then(|p| rules.iter().find(|r| &r.id == p))
            else {
                continue;
            };
            let Some(before) = made.get(parent.id.as_str()).copied() else {
                continue;
            };
            let t = taken
                .get(&parent.offer_product_id)
                .copied()
                .unwrap_or_default();
            let outcome = if f.kind == super::RuleKind::Next {
                t.paid
            } else {
                t.declined
            };
            let share = if t.offers > 0 && f.enabled {
                outcome.clamp(0, t.offers) as f64 / t.offers as f64
            } else {
                0.0
            };
            made.insert(f.id.as_str(), before * share);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rule::target::{CustomerFilter, Targeting, ValueRange};
    use crate::domain::rule::versions::tests_support::rule;

    fn product(id: &str, price: i64) -> ProductSummary {
        ProductSummary {
            id: id.into(),
            name: id.into(),
            price,
            currency: "USD".into(),
            is_recurring: false,
            interval: None,
        }
    }

    fn buy(customer: &str, product: &str, total: i64, at: i64) -> PastPurchase {
        PastPurchase {
            customer_id: customer.into(),
            products: vec![product.into()],
            total,
            currency: "USD".into(),
            country: Some("US".into()),
            quantity: 1,
            at_ms: at,
        }
    }

    /// Worked example. Rule "big" offers B ($40) after A for orders of $50 or more; rule
    /// "first" (a catch-all) offers C ($10) to first purchases. Purchases: ann buys A for $60
    /// (big fires), bob buys A for $20 (too small; first purchase → the catch-all fires), ann
    /// buys Z for $5 (returning: nothing), cy bought before the window and buys Z (nothing).
    /// B was taken 1 time in 4 (25%), C 1 in 2: expected 1 × $40 × 25% = $10.00 and
    /// 1 × $10 × 50% = $5.00.
    #[test]
    fn worked_example() {
        let mut big = rule("big", "Big orders", "pdt_A", "pdt_B");
        big.targeting = Targeting {
            order_values: vec![ValueRange {
                currency: "USD".into(),
                min: Some(5_000),
                max: None,
            }],
            ..Default::default()
        };
        let mut first = rule(
            "first",
            "First purchase",
            super::super::ANY_PRODUCT,
            "pdt_C",
        );
        first.priority = 2;
        first.targeting.customer = CustomerFilter::New;
        let products = [
            product("pdt_A", 2_000),
            product("pdt_B", 4_000),
            product("pdt_C", 1_000),
        ];
        let purchases = [
            buy("ann", "pdt_A", 6_000, 1),
            buy("bob", "pdt_A", 2_000, 2),
            buy("ann", "pdt_Z", 500, 3),
            buy("cy", "pdt_Z", 500, 4),
        ];
        let returning: HashSet<String> = ["cy".to_string()].into();
        let taken: HashMap<String, Taken> = [
            (
                "pdt_B".to_string(),
                Taken {
                    offers: 4,
                    paid: 1,
                    declined: 2,
                },
            ),
            (
                "pdt_C".to_string(),
                Taken {
                    offers: 2,
                    paid: 1,
                    declined: 1,
                },
            ),
        ]
        .into();
        let actual: HashMap<String, (i64, i64)> = [("big".to_string(), (3, 4_000))].into();
        let r = replay(
            &[big, first],
            &products,
            &purchases,
            &returning,
            &taken,
            &actual,
        );
        assert_eq!(r.purchases, 4);
        let line = |id: &str| r.lines.iter().find(|l| l.rule_id == id).unwrap();
        assert_eq!(line("big").offers, 1);
        assert_eq!(line("big").expected, 1_000);
        assert_eq!(line("big").take_rate, Some(0.25));
        assert!(line("big").expected_low < 1_000 && line("big").expected_high > 1_000);
        assert_eq!(
            (line("big").actual_offers, line("big").actual_revenue),
            (3, 4_000)
        );
        assert_eq!(line("first").offers, 1);
        assert_eq!(line("first").expected, 500);
        assert_eq!(
            r.totals,
            vec![(
                "USD".to_string(),
                1_500,
                r.totals[0].2,
                r.totals[0].3,
                4_000
            )]
        );
    }

    /// The same purchase with the offer 25 % off: $40 becomes $30, so 1 × $30 × 50% = $15.
    #[test]
    fn a_discount_is_counted_at_the_price_charged() {
        let mut r = rule("r", "R", "pdt_A", "pdt_B");
        r.discount = super::super::Discount {
            percent: 25,
            cycles: 0,
        };
        let taken: HashMap<String, Taken> = [(
            "pdt_B".to_string(),
            Taken {
                offers: 2,
                paid: 1,
                declined: 1,
            },
        )]
        .into();
        let out = replay(
            &[r],
            &[product("pdt_A", 2_000), product("pdt_B", 4_000)],
            &[buy("ann", "pdt_A", 2_000, 1)],
            &HashSet::new(),
            &taken,
            &HashMap::new(),
        );
        assert_eq!(out.lines[0].expected, 1_500);
    }

    /// Followers, worked: "big" offers B after A; its downsell "d" offers C, its next offer
    /// "n" offers D. Four purchases of A: big makes 4 offers. B was declined 5 times in 10
    /// and paid 3 times: d makes 4 × 50% = 2 offers, n 4 × 30% = 1.2 (shown as 1). C is taken
    /// 1 in 4 ($10): 2 × $10 × 25% = $5.00; D 2 in 4 ($20): 1.2 × $20 × 50% = $12.00. A
    /// downsell of n ("dd", offering C) follows n's declines: D was declined 1 in 4, so
    /// 1.2 × 25% = 0.3 offers, $0.75. A switched-off follower makes none.
    #[test]
    fn downsells_and_next_offers_follow_their_rules_outcomes() {
        use crate::domain::rule::RuleKind;
        let big = rule("big", "Big", "pdt_A", "pdt_B");
        let follower = |id: &str, kind: RuleKind, parent: &str, offer: &str| {
            let mut r = rule(id, id, "pdt_A", offer);
            r.kind = kind;
            r.parent_rule_id = Some(parent.into());
            r
        };
        let d = follower("d", RuleKind::Downsell, "big", "pdt_C");
        let n = follower("n", RuleKind::Next, "big", "pdt_D");
        let dd = follower("dd", RuleKind::Downsell, "n", "pdt_C");
        let mut off = follower("off", RuleKind::Downsell, "n", "pdt_C");
        off.enabled = false;
        let products = [
            product("pdt_A", 2_000),
            product("pdt_B", 4_000),
            product("pdt_C", 1_000),
            product("pdt_D", 2_000),
        ];
        let purchases: Vec<PastPurchase> = (0..4)
            .map(|i| buy(&format!("c{i}"), "pdt_A", 2_000, i))
            .collect();
        let taken: HashMap<String, Taken> = [
            (
                "pdt_B".to_string(),
                Taken {
                    offers: 10,
                    paid: 3,
                    declined: 5,
                },
            ),
            (
                "pdt_C".to_string(),
                Taken {
                    offers: 4,
                    paid: 1,
                    declined: 3,
                },
            ),
            (
                "pdt_D".to_string(),
                Taken {
                    offers: 4,
                    paid: 2,
                    declined: 1,
                },
            ),
        ]
        .into();
        // Children listed before their parents: the projection must not depend on the order.
        let r = replay(
            &[off, dd, n, d, big],
            &products,
            &purchases,
            &HashSet::new(),
            &taken,
            &HashMap::new(),
        );
        let line = |id: &str| r.lines.iter().find(|l| l.rule_id == id).unwrap();
        assert_eq!(line("big").offers, 4);
        assert_eq!((line("d").offers, line("d").expected), (2, 500));
        assert_eq!((line("n").offers, line("n").expected), (1, 1_200));
        assert_eq!((line("dd").offers, line("dd").expected), (0, 75));
        assert_eq!((line("off").offers, line("off").expected), (0, 0));
        let follows = line("n").follows.clone().unwrap();
        assert_eq!((follows.name.as_str(), follows.on_accept), ("Big", true));
        assert!(!line("d").follows.clone().unwrap().on_accept);
        assert_eq!(line("big").follows, None);
        // Big: 4 × $40 × 30% = $48.00; the total adds every line.
        assert_eq!(r.totals[0].1, 4_800 + 500 + 1_200 + 75);
    }

    #[test]
    fn a_product_never_offered_has_no_rate_and_expects_nothing() {
        let products = [product("pdt_A", 2_000), product("pdt_B", 4_000)];
        let r = replay(
            &[rule("r", "R", "pdt_A", "pdt_B")],
            &products,
            &[buy("ann", "pdt_A", 2_000, 1)],
            &HashSet::new(),
            &HashMap::new(),
            &HashMap::new(),
        );
        assert_eq!(r.lines[0].offers, 1);
        assert_eq!(r.lines[0].take_rate, None);
        assert_eq!(r.lines[0].expected, 0);
    }
}
