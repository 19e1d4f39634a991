//! The console's view of the offers made to the customers it found: upsells and save offers,
//! with the rule's name, the plan change an offer made and the cancel request it answered.
//! One query for all the customers shown; read-only (the offer engine owns these tables).
use super::views::product_name;
use crate::domain::customer_offer::{
    CustomerOfferView, OfferChange, SaveRequest, SaveState, OFFERS_SHOWN,
};
use crate::domain::offer::OfferState;
use crate::domain::offer_action::{CancelReason, OfferAction};
use crate::domain::rule::ProductSummary;
use crate::domain::subscription::{ChangeState, CustomerView};
use crate::server::db::Db;
use sqlx::any::AnyRow;
use sqlx::Row;

/// Newest first, at most [`OFFERS_SHOWN`] per customer (a window, so one busy customer cannot
/// crowd out another found by the same email).
fn sql(customers: usize) -> String {
    let marks = (1..=customers)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT * FROM (\
           SELECT o.id, o.customer_id, o.created_at, o.rule_id, r.name AS rule_name, \
             o.offer_product_id, o.quantity, o.action, o.amount, o.currency, o.recurring_amount, \
             o.billing_interval, o.free_days, o.state, COALESCE(o.payment_id, pc.payment_id) AS payment_id, \
             o.failure_message, o.subscription_id, pc.id AS change_id, pc.from_product_name, \
             pc.from_quantity, pc.to_product_name, pc.to_quantity, pc.state AS change_state, \
             c.reason AS cancel_reason, c.state AS cancel_state, \
             ROW_NUMBER() OVER (PARTITION BY o.customer_id ORDER BY o.created_at DESC, o.id DESC) AS rn \
           FROM offers o \
           LEFT JOIN rules r ON r.id = o.rule_id \
           LEFT JOIN plan_changes pc ON pc.id = o.plan_change_id \
           LEFT JOIN cancellations c ON c.offer_id = o.id \
           WHERE o.customer_id IN ({marks})\
         ) x WHERE rn <= {OFFERS_SHOWN} ORDER BY created_at DESC, id DESC"
    )
}

fn decode(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unknown {what}").into())
}

fn from_row(r: &AnyRow, products: &[ProductSummary]) -> Result<CustomerOfferView, sqlx::Error> {
    let product_id: String = r.try_get("offer_product_id")?;
    let state: String = r.try_get("state")?;
    let action: String = r.try_get("action")?;
    let plan_change = match r.try_get::<Option<String>, _>("change_id")? {
        None => None,
        Some(id) => Some(OfferChange {
            id,
            from_product_name: r.try_get("from_product_name")?,
            from_quantity: r.try_get("from_quantity")?,
            to_product_name: r.try_get("to_product_name")?,
            to_quantity: r.try_get("to_quantity")?,
            state: ChangeState::parse(&r.try_get::<String, _>("change_state")?)
                .ok_or_else(|| decode("plan change state"))?,
        }),
    };
    let save = r
        .try_get::<Option<String>, _>("cancel_state")?
        .map(|s| -> Result<SaveRequest, sqlx::Error> {
            let reason: Option<String> = r.try_get("cancel_reason")?;
            Ok(SaveRequest {
                reason: reason.as_deref().and_then(CancelReason::parse),
                state: SaveState::parse(&s),
            })
        })
        .transpose()?;
    Ok(CustomerOfferView {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        created_at: r.try_get("created_at")?,
        rule_id: r.try_get("rule_id")?,
        rule_name: r.try_get("rule_name")?,
        product_name: product_name(products, &product_id),
        product_id,
        quantity: r.try_get("quantity")?,
        action: OfferAction::parse(&action).ok_or_else(|| decode("offer action"))?,
        amount: r.try_get("amount")?,
        currency: r.try_get("currency")?,
        recurring_amount: r.try_get("recurring_amount")?,
        billing_interval: r.try_get("billing_interval")?,
        free_days: r.try_get("free_days")?,
        state: OfferState::parse(&state).ok_or_else(|| decode("offer state"))?,
        payment_id: r.try_get("payment_id")?,
        failure_message: r.try_get("failure_message")?,
        subscription_id: r.try_get("subscription_id")?,
        plan_change,
        save,
    })
}

/// The offers of these customers, newest first (one query).
pub async fn of_customers(
    db: &Db,
    customer_ids: &[&str],
    products: &[ProductSummary],
) -> Result<Vec<CustomerOfferView>, sqlx::Error> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = sql(customer_ids.len());
    let mut q = sqlx::query(&sql);
    for id in customer_ids {
        q = q.bind(*id);
    }
    let mut out: Vec<CustomerOfferView> = Vec::new();
    for row in q.fetch_all(db).await? {
        let v = from_row(&row, products)?;
        // A second cancel request naming the same offer would repeat the row: keep the first.
        if out.iter().all(|o| o.id != v.id) {
            out.push(v);
        }
    }
    Ok(out)
}

/// Gives each customer found their offers.
pub async fn attach(
    db: &Db,
    customers: &mut [CustomerView],
    products: &[ProductSummary],
) -> Result<(), sqlx::Error> {
    let ids: Vec<&str> = customers.iter().map(|c| c.id.as_str()).collect();
    let mut offers = of_customers(db, &ids, products).await?;
    for c in customers.iter_mut() {
        let (mine, rest) = offers.into_iter().partition(|o| o.customer_id == c.id);
        c.offers = mine;
        offers = rest;
    }
    Ok(())
}
