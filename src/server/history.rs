//! Demo history: 90 days of offers for the demo upsell map, so the analytics page means
//! something on the embedded default. Written through the same `rollups::record` as live
//! events, so the page reads it exactly as it reads real traffic.
use super::db::{begin_write, Db};
use super::ids::{new_id, now_ms};
use super::offers;
use super::purchases;
use super::rollups::{self, Subject};
use super::rules;
use crate::domain::analytics::{assign, day_of, EventKind, Variant, DAY_MS};
use crate::domain::error::AppError;
use crate::domain::rule::target::Purchase;
use crate::domain::rule::{ProductSummary, Rule};

pub const DAYS: i64 = 90;

/// A small deterministic generator (SplitMix64): the demo looks the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Decline codes with their rough share of failed one-click charges.
const DECLINES: [(&str, f64); 6] = [
    ("INSUFFICIENT_FUNDS", 0.38),
    ("GENERIC_DECLINE", 0.22),
    ("EXPIRED_CARD", 0.14),
    ("AUTHENTICATION_REQUIRED", 0.12),
    ("DO_NOT_HONOR", 0.09),
    ("PROCESSING_ERROR", 0.05),
];

fn decline_code(rng: &mut Rng) -> &'static str {
    let mut x = rng.unit();
    for (code, share) in DECLINES {
        if x < share {
            return code;
        }
        x -= share;
    }
    "GENERIC_DECLINE"
}

/// One synthetic offer's story, as (minutes after creation, event, amount).
fn story(rng: &mut Rng, take_rate: f64, amount: i64) -> Vec<(i64, EventKind, Option<i64>)> {
    let mut s = vec![(0, EventKind::Created, Some(amount))];
    if !rng.chance(0.9) {
        s.push((60, EventKind::Expired, None));
        return s;
    }
    s.push((1, EventKind::Shown, None));
    if rng.chance(0.03) {
        s.push((2, EventKind::Fallback, None));
        return s;
    }
    if !rng.chance(take_rate) {
        s.push((
            2,
            if rng.chance(0.8) {
                EventKind::Declined
            } else {
                EventKind::Expired
            },
            None,
        ));
        return s;
    }
    s.push((3, EventKind::Accepted, Some(amount)));
    if rng.chance(0.1) {
        s.push((3, EventKind::Failed, None));
        return s;
    }
    s.push((3, EventKind::Paid, Some(amount)));
    if rng.chance(0.03) {
        s.push((60 * 24 * 3, EventKind::Refunded, Some(amount)));
    }
    s
}

/// Seeds the history once (a settings flag remembers it). One transaction per day, so live
/// requests interleave with it.
pub async fn seed(db: &Db, products: &[ProductSummary]) -> Result<(), AppError> {
    if super::seed::flag(db, "demo_history").await? {
        return Ok(());
    }
    let rules = rules::list(db).await?;
    let today = day_of(now_ms());
    let mut rng = Rng(0x5eed_2026);
    for day in (today - DAYS)..today {
        let mut tx = begin_write(db).await?;
        let mut bought = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            bought.extend(
                seed_day(
                    &mut tx,
                    &mut rng,
                    rule,
                    i,
                    products,
                    day,
                    day - (today - DAYS),
                )
                .await?,
            );
        }
        // The day's purchases, as the ingest records them: what the replay runs maps over.
        purchases::record(&mut tx, &bought).await?;
        tx.commit().await?;
    }
    super::seed::set_flag(db, "demo_history").await
}

/// Offers of one rule on one day, and the purchases behind them: volume grows over the quarter
/// and dips at weekends; each
/// rule has its own take rate between 5 and 15%.
async fn seed_day(
    tx: &mut crate::server::db::WriteTx,
    rng: &mut Rng,
    rule: &Rule,
    index: usize,
    products: &[ProductSummary],
    day: i64,
    age: i64,
) -> Result<Vec<(String, Purchase)>, AppError> {
    let mut bought = Vec::new();
    let (Some(trigger), Some(offered)) = (
        products.iter().find(|p| p.id == rule.trigger_product_id),
        products.iter().find(|p| p.id == rule.offer_product_id),
    ) else {
        return Ok(bought);
    };
    let weekday = (day + 4).rem_euclid(7); // 1970-01-01 was a Thursday
    let weekend = if weekday >= 5 { 0.6 } else { 1.0 };
    let base = [14.0, 6.0, 5.0, 4.0, 3.0][index % 5];
    let volume = (base
        * weekend
        * (0.8 + 0.4 * age as f64 / DAYS as f64)
        * (0.7 + 0.6 * rng.unit()))
    .round() as i64;
    let take_rate = [0.12, 0.08, 0.15, 0.06, 0.1][index % 5];
    // The cross-sell ran an experiment in the demo: B (another headline) and a 10% hold-out.
    let experiment = index == 3;
    for n in 0..volume {
        let customer = format!("cus_demo{:05}", rng.next() % 5000);
        let variant = if experiment {
            assign(&customer, &rule.id, 50, 10)
        } else {
            Variant::A
        };
        let start = day * DAY_MS + (8 * 3_600_000) + (rng.next() % (14 * 3_600_000)) as i64;
        let trigger_payment = format!("pay_demo{day}x{index}x{n}");
        bought.push((
            trigger_payment.clone(),
            Purchase {
                customer_id: customer.clone(),
                products: vec![trigger.id.clone()],
                total: Some(trigger.price),
                currency: trigger.currency.clone(),
                country: Some(if index.is_multiple_of(3) { "DE" } else { "US" }.to_string()),
                quantity: 1,
                returning: false,
                holds: Vec::new(),
                at_ms: start,
            },
        ));
        if variant == Variant::Holdout {
            let Some(id) =
                offers::hold_out(tx, &rule.id, &customer, &trigger_payment, offered, start).await?
            else {
                continue;
            };
            let s = offers::holdout_subject(&id, &rule.id, &offered.currency);
            if rng.chance(0.02) {
                rollups::record(
                    tx,
                    &s,
                    EventKind::Paid,
                    Some(offered.price),
                    None,
                    start + DAY_MS,
                )
                .await?;
            }
            continue;
        }
        let rate = if variant == Variant::B {
            take_rate * 1.4
        } else {
            take_rate
        };
        let events = story(rng, rate, offered.price * i64::from(rule.quantity));
        let code = events
            .iter()
            .any(|e| e.1 == EventKind::Failed)
            .then(|| decline_code(rng));
        let last = events.last().map(|e| e.1).unwrap_or(EventKind::Created);
        let state = match last {
            EventKind::Refunded => "paid",
            k => k.as_str(),
        };
        let id = new_id("ofr");
        sqlx::query(
            "INSERT INTO offers (id, token, rule_id, customer_id, trigger_payment_id, trigger_product_id, trigger_amount, \
             offer_product_id, quantity, amount, currency, headline, value_prop, badge, state, failure_code, shown_at, \
             created_at, expires_at, updated_at, variant) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
        )
        .bind(&id)
        .bind(new_id("otk"))
        .bind(&rule.id)
        .bind(&customer)
        .bind(&trigger_payment)
        .bind(&trigger.id)
        .bind(trigger.price)
        .bind(&offered.id)
        .bind(i64::from(rule.quantity))
        .bind(offered.price * i64::from(rule.quantity))
        .bind(&offered.currency)
        .bind(&rule.headline)
        .bind(&rule.value_prop)
        .bind(&rule.badge)
        .bind(state)
        .bind(code)
        .bind(Some(start + 60_000))
        .bind(start)
        .bind(start + 3_600_000)
        .bind(start)
        .bind(variant.as_str())
        .execute(&mut **tx)
        .await?;
        let s = Subject {
            id: &id,
            rule_id: &rule.id,
            variant,
            currency: &offered.currency,
            trigger_amount: trigger.price,
        };
        for (minutes, kind, amount) in events {
            let detail = if kind == EventKind::Failed {
                code
            } else {
                None
            };
            rollups::record(tx, &s, kind, amount, detail, start + minutes * 60_000).await?;
        }
    }
    Ok(bought)
}
