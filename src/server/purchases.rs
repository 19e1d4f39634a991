//! The purchases the ingest records: each one (for the replay) and, per customer, what they
//! hold and whether they bought before (for the conditions "new or returning" and "already
//! holds X"). The per-customer summary is kept as purchases arrive, so a batch reads a few
//! rows per buyer however many purchases that buyer has made; reading their purchases
//! instead made the ingest slower with every purchase (a customer buying through an API
//! can have thousands).
use super::db::{in_list, Db, WriteTx};
use super::sql::{insert_with, Arg};
use crate::domain::rule::target::Purchase;
use crate::domain::rule::ANY_PRODUCT;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A buyer's past as the conditions see it.
#[derive(Default)]
pub struct History {
    /// Payments seen: two at most (enough to tell "bought before, other than this one"),
    /// plus this batch's.
    pub payments: HashSet<String>,
    pub holds: HashSet<String>,
}

/// The histories of these buyers (one query).
pub async fn histories(
    conn: &mut sqlx::AnyConnection,
    buyers: &[&str],
) -> Result<HashMap<String, History>, sqlx::Error> {
    let mut out: HashMap<String, History> = HashMap::new();
    if buyers.is_empty() {
        return Ok(out);
    }
    let (list, binds) = in_list(1, buyers);
    let sql = format!(
        "SELECT customer_id, product_id, first_payment_id, other_payment_id \
         FROM customer_products WHERE customer_id IN ({list})"
    );
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = q.bind(b);
    }
    for r in q.fetch_all(&mut *conn).await? {
        let h = out.entry(r.try_get("customer_id")?).or_default();
        let product: String = r.try_get("product_id")?;
        if product == ANY_PRODUCT {
            h.payments.insert(r.try_get("first_payment_id")?);
            if let Some(other) = r.try_get::<Option<String>, _>("other_payment_id")? {
                h.payments.insert(other);
            }
        } else {
            h.holds.insert(product);
        }
    }
    Ok(out)
}

/// Records purchases (keyed by payment id: a redelivered one is recorded once) and the
/// buyers' summaries, two statements whatever the number.
pub async fn record(tx: &mut WriteTx, bought: &[(String, Purchase)]) -> Result<(), sqlx::Error> {
    if bought.is_empty() {
        return Ok(());
    }
    let rows = bought
        .iter()
        .map(|(id, p)| {
            vec![
                Arg::Text(id.clone()),
                Arg::Text(p.customer_id.clone()),
                Arg::Text(serde_json::to_string(&p.products).unwrap_or_default()),
                Arg::Int(p.total.unwrap_or(0)),
                Arg::Text(p.currency.clone()),
                Arg::OptText(p.country.clone()),
                Arg::Int(p.quantity),
                Arg::Int(p.at_ms),
            ]
        })
        .collect();
    insert_with(
        tx,
        "purchases",
        &PURCHASE_COLUMNS,
        " ON CONFLICT (payment_id) DO NOTHING",
        rows,
    )
    .await?;
    let mut seen = Summary::default();
    for (id, p) in bought {
        seen.add(&p.customer_id, &p.products, id);
    }
    seen.store(tx).await
}

const PURCHASE_COLUMNS: [(&str, &str); 8] = [
    ("payment_id", "text"),
    ("customer_id", "text"),
    ("products", "text"),
    ("total", "bigint"),
    ("currency", "text"),
    ("country", "text"),
    ("quantity", "bigint"),
    ("created_at", "bigint"),
];

const SUMMARY_COLUMNS: [(&str, &str); 4] = [
    ("customer_id", "text"),
    ("product_id", "text"),
    ("first_payment_id", "text"),
    ("other_payment_id", "text"),
];

/// Per (customer, product) — and (customer, `*`) for any purchase — the first payment seen and
/// another one, merged in memory first (one statement may not touch a row twice), in key order.
#[derive(Default)]
struct Summary(BTreeMap<(String, String), (String, Option<String>)>);

impl Summary {
    fn add(&mut self, customer: &str, products: &[String], payment: &str) {
        let keys = products.iter().map(String::as_str).chain([ANY_PRODUCT]);
        for product in keys {
            let slot = self
                .0
                .entry((customer.to_string(), product.to_string()))
                .or_insert_with(|| (payment.to_string(), None));
            if slot.1.is_none() && slot.0 != payment {
                slot.1 = Some(payment.to_string());
            }
        }
    }

    /// One upsert: conflicts are found by key, and only a summary without a second payment
    /// changes. Rows go in key order, so batches of the same customers lock them in the same
    /// order (no deadlock); the lock is taken just before the rollups', which every batch
    /// takes anyway.
    async fn store(self, tx: &mut WriteTx) -> Result<(), sqlx::Error> {
        let rows = self
            .0
            .into_iter()
            .map(|((c, p), (f, o))| vec![Arg::Text(c), Arg::Text(p), Arg::Text(f), Arg::OptText(o)])
            .collect();
        insert_with(
            tx,
            "customer_products",
            &SUMMARY_COLUMNS,
            " ON CONFLICT (customer_id, product_id) DO UPDATE SET other_payment_id = \
             CASE WHEN excluded.first_payment_id <> customer_products.first_payment_id \
             THEN excluded.first_payment_id ELSE excluded.other_payment_id END \
             WHERE customer_products.other_payment_id IS NULL",
            rows,
        )
        .await?;
        Ok(())
    }
}

/// Fills the summaries of a database whose purchases predate them (once, at start-up; the
/// demo history is recorded through [`record`]). On PostgreSQL the table is locked, so two
/// instances starting together fill it once.
pub async fn backfill(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = super::db::begin_write(db).await?;
    if tx.is_postgres() {
        sqlx::query("LOCK TABLE customer_products IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    let done = sqlx::query("SELECT 1 AS one FROM customer_products LIMIT 1")
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if done {
        return Ok(());
    }
    let rows = sqlx::query(
        "SELECT customer_id, products, MIN(payment_id) AS first_id, MAX(payment_id) AS last_id \
         FROM purchases GROUP BY customer_id, products",
    )
    .fetch_all(&mut *tx)
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut seen = Summary::default();
    for r in rows {
        let customer: String = r.try_get("customer_id")?;
        let products: String = r.try_get("products")?;
        let products: Vec<String> = serde_json::from_str(&products).unwrap_or_default();
        let ids: [String; 2] = [r.try_get("first_id")?, r.try_get("last_id")?];
        for id in ids {
            seen.add(&customer, &products, &id);
        }
    }
    seen.store(&mut tx).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &Summary, c: &str, p: &str) -> (String, Option<String>) {
        s.0[&(c.to_string(), p.to_string())].clone()
    }

    #[test]
    fn a_summary_keeps_the_first_payment_and_one_other() {
        let mut s = Summary::default();
        let pack = vec!["pdt_a".to_string()];
        s.add("c1", &pack, "pay_1");
        s.add("c1", &pack, "pay_1");
        assert_eq!(ids(&s, "c1", ANY_PRODUCT), ("pay_1".into(), None));
        s.add("c1", &[], "pay_2");
        s.add("c1", &pack, "pay_3");
        assert_eq!(
            ids(&s, "c1", ANY_PRODUCT),
            ("pay_1".into(), Some("pay_2".into()))
        );
        assert_eq!(
            ids(&s, "c1", "pdt_a"),
            ("pay_1".into(), Some("pay_3".into()))
        );
        assert_eq!(s.0.len(), 2);
    }
}
