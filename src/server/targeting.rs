//! "Preview as customer": which rule of the live map fires for a purchase the merchant
//! describes, and why each other rule does not. The same `domain::rule::target::choose` the
//! offer engine runs, over the same history (purchases recorded, declines).
use super::db::begin_write;
use super::db::Db;
use super::dodo::Dodo;
use super::ids::now_ms;
use super::rules;
use crate::domain::error::{AppError, FieldError};
use crate::domain::role::CurrentUser;
use crate::domain::rule::target::{codes, explain, Candidate, FrequencyCap, Purchase, Verdict};
use crate::domain::rule::QUANTITY_MAX;
use crate::domain::subscription::parse_major;
use sqlx::Row;

/// What the merchant typed: a customer id (empty for a new customer), the product, the order
/// value in major units (empty: the product's price), a billing country, a quantity.
pub struct Ask<'a> {
    pub customer_id: &'a str,
    pub product_id: &'a str,
    pub total: &'a str,
    pub country: &'a str,
    pub quantity: &'a str,
}

pub async fn preview(db: &Db, dodo: &Dodo, ask: Ask<'_>) -> Result<Vec<Verdict>, AppError> {
    let products = dodo.products().await?;
    let mut errs = Vec::new();
    let product = products.iter().find(|p| p.id == ask.product_id.trim());
    if product.is_none() {
        errs.push(FieldError::new(
            "product_id",
            "product_missing",
            "Pick the product the customer buys.",
        ));
    }
    let quantity = match ask.quantity.trim() {
        "" => Some(1),
        q => q
            .parse::<i64>()
            .ok()
            .filter(|q| (1..=QUANTITY_MAX as i64).contains(q)),
    };
    if quantity.is_none() {
        errs.push(FieldError::new(
            "quantity",
            "quantity_range",
            format!("The quantity must be a whole number from 1 to {QUANTITY_MAX}."),
        ));
    }
    let country = codes(ask.country).into_iter().next();
    if country
        .as_ref()
        .is_some_and(|c| c.len() != 2 || !c.chars().all(|c| c.is_ascii_alphabetic()))
    {
        errs.push(FieldError::new(
            "country",
            "code",
            "Enter the billing country as two letters, such as US or DE, or leave it empty.",
        ));
    }
    let total = match (product, ask.total.trim()) {
        (Some(p), "") => Some(p.price.saturating_mul(quantity.unwrap_or(1))),
        (Some(p), t) => parse_major(t, &p.currency),
        (None, _) => None,
    };
    if product.is_some() && total.is_none() {
        errs.push(FieldError::new(
            "total",
            "amount",
            "Enter the order value as an amount such as 49.00, or leave it empty for the product's price.",
        ));
    }
    let (Some(product), Some(quantity), Some(total), true) =
        (product, quantity, total, errs.is_empty())
    else {
        return Err(AppError::validation(errs));
    };

    let customer_id = ask.customer_id.trim();
    let mut holds = vec![product.id.clone()];
    let mut returning = false;
    let mut declined = Vec::new();
    if !customer_id.is_empty() {
        let mut conn = db.acquire().await?;
        if let Some(h) = super::purchases::histories(&mut conn, &[customer_id])
            .await?
            .remove(customer_id)
        {
            returning = !h.payments.is_empty();
            holds.extend(h.holds);
        }
        drop(conn);
        for r in sqlx::query("SELECT rule_id FROM declines WHERE customer_id = $1")
            .bind(customer_id)
            .fetch_all(db)
            .await?
        {
            declined.push(r.try_get::<String, _>("rule_id")?);
        }
    }
    let purchase = Purchase {
        customer_id: customer_id.to_string(),
        products: vec![product.id.clone()],
        total: Some(total),
        currency: product.currency.clone(),
        country,
        quantity,
        returning,
        holds,
        at_ms: now_ms(),
    };
    let map = rules::list(db).await?;
    let candidates = Candidate::of_map(&map, &products, |id| declined.iter().any(|d| d == id));
    Ok(explain(&candidates, &purchase))
}

const CAP_KEY: &str = "frequency_cap";

/// The map's frequency cap (none when never set).
pub async fn cap(conn: &mut sqlx::AnyConnection) -> Result<FrequencyCap, sqlx::Error> {
    let text: Option<String> = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(CAP_KEY)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("value"))
        .transpose()?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

pub async fn get_cap(db: &Db) -> Result<FrequencyCap, AppError> {
    let mut conn = db.acquire().await?;
    Ok(cap(&mut conn).await?)
}

/// Sets the cap (both 0: none), audited with what it was.
pub async fn set_cap(
    db: &Db,
    user: &CurrentUser,
    new: FrequencyCap,
) -> Result<FrequencyCap, AppError> {
    let errs = new.validate();
    if !errs.is_empty() {
        return Err(AppError::validation(errs));
    }
    let mut tx = begin_write(db).await?;
    let before = cap(&mut tx).await?;
    super::audit::put_setting(&mut tx, user, CAP_KEY, &before, &new).await?;
    tx.commit().await?;
    Ok(new)
}

/// Serialises offer-making per customer for the rest of the transaction, so two instances (or
/// two batches) cannot both count "one left" and both make it. PostgreSQL only: on SQLite a
/// write transaction already holds the whole database. Locks are taken in one order (sorted)
/// so two batches cannot deadlock over them.
pub async fn lock_customers(
    conn: &mut sqlx::AnyConnection,
    customers: &[&str],
) -> Result<(), sqlx::Error> {
    if conn.backend_name() != "PostgreSQL" {
        return Ok(());
    }
    let mut sorted: Vec<&str> = customers.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    for c in sorted {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1)) IS NULL AS x")
            .bind(format!("offer-cap:{c}"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whether the cap lets this customer get one more offer now.
pub async fn under_cap(
    conn: &mut sqlx::AnyConnection,
    cap: FrequencyCap,
    customer_id: &str,
    // Offers made for the customer and not written yet (a webhook batch's).
    unwritten: i64,
) -> Result<bool, sqlx::Error> {
    if !cap.is_set() {
        return Ok(true);
    }
    let made: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM offers WHERE customer_id = $1 AND created_at > $2")
            .bind(customer_id)
            .bind(now_ms() - cap.window_ms())
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
    Ok(cap.allows(made + unwritten))
}
