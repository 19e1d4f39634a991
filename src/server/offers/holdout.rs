//! Hold-outs: a customer in a rule's hold-out gets no offer, but is counted, and their own
//! purchase of the product they were not offered counts as the hold-out's conversion.
use super::Tx;
use crate::domain::analytics::{EventKind, Variant};
use crate::domain::rule::ProductSummary;
use crate::server::ids::{new_id, now_ms};
use crate::server::rollups::{self, Subject};
use sqlx::Row;
use std::collections::HashSet;

/// A customer in the rule's hold-out: no offer, but the assignment is counted (once per
/// purchase) so the experiment can compare against customers who got none. Returns the
/// record's id when this call made it.
pub async fn hold_out(
    tx: &mut Tx,
    rule_id: &str,
    customer_id: &str,
    trigger_payment_id: &str,
    offered: &ProductSummary,
    at: i64,
) -> Result<Option<String>, sqlx::Error> {
    let id = new_id("hld");
    let inserted = sqlx::query(
        "INSERT INTO holdouts (id, rule_id, customer_id, trigger_payment_id, offer_product_id, currency, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (trigger_payment_id, rule_id) DO NOTHING",
    )
    .bind(&id)
    .bind(rule_id)
    .bind(customer_id)
    .bind(trigger_payment_id)
    .bind(&offered.id)
    .bind(&offered.currency)
    .bind(at)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(None);
    }
    let subject = holdout_subject(&id, rule_id, &offered.currency);
    rollups::record(tx, &subject, EventKind::Created, None, None, at).await?;
    Ok(Some(id))
}

pub fn holdout_subject<'a>(id: &'a str, rule_id: &'a str, currency: &'a str) -> Subject<'a> {
    Subject {
        id,
        rule_id,
        variant: Variant::Holdout,
        currency,
        trigger_amount: 0,
    }
}

/// How long after being held out a customer's own purchase of the offered product still
/// counts as the hold-out's conversion.
const HOLDOUT_WINDOW_MS: i64 = 30 * 86_400_000;

/// Of `customers`, those with a hold-out that a purchase could still convert. A webhook batch
/// asks this once, so a purchase by anyone else (nearly everyone) costs no hold-out query.
pub async fn open_holdouts(
    tx: &mut Tx,
    customers: &[&str],
) -> Result<HashSet<String>, sqlx::Error> {
    if customers.is_empty() {
        return Ok(HashSet::new());
    }
    let (list, binds) = crate::server::db::in_list(2, customers);
    let sql = format!(
        "SELECT DISTINCT customer_id FROM holdouts WHERE converted_at IS NULL AND created_at > $1 \
         AND customer_id IN ({list})"
    );
    let mut q = sqlx::query(&sql).bind(now_ms() - HOLDOUT_WINDOW_MS);
    for b in binds {
        q = q.bind(b);
    }
    q.fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get("customer_id"))
        .collect()
}

/// An ordinary purchase by a held-out customer of the product they were not offered.
pub(super) async fn holdout_conversions(
    tx: &mut Tx,
    customer_id: &str,
    payment_id: &str,
    bought: &[(String, i64)],
    products: &[ProductSummary],
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let rows = sqlx::query(
        "SELECT id, rule_id, offer_product_id, currency FROM holdouts \
         WHERE customer_id = $1 AND converted_at IS NULL AND created_at > $2 AND trigger_payment_id <> $3",
    )
    .bind(customer_id)
    .bind(now - HOLDOUT_WINDOW_MS)
    .bind(payment_id)
    .fetch_all(&mut **tx)
    .await?;
    for r in rows {
        let (id, rule_id, product, currency): (String, String, String, String) = (
            r.try_get("id")?,
            r.try_get("rule_id")?,
            r.try_get("offer_product_id")?,
            r.try_get("currency")?,
        );
        let Some((_, qty)) = bought.iter().find(|(p, _)| *p == product) else {
            continue;
        };
        let Some(price) = products.iter().find(|p| p.id == product).map(|p| p.price) else {
            continue;
        };
        let n = sqlx::query("UPDATE holdouts SET converted_payment_id = $1, converted_at = $2 WHERE id = $3 AND converted_at IS NULL")
            .bind(payment_id)
            .bind(now)
            .bind(&id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        if n == 1 {
            let subject = holdout_subject(&id, &rule_id, &currency);
            let amount = price.saturating_mul(*qty);
            rollups::record(
                tx,
                &subject,
                EventKind::Paid,
                Some(amount),
                Some(payment_id),
                now,
            )
            .await?;
        }
    }
    Ok(())
}
