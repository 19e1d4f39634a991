//! What each Dodo event does, inside its delivery's transaction: the one place where webhooks
//! meet the services (the offer engine, plan changes). Handed to the ingest engine as its
//! [`Apply`](super::ingest::Apply) function, so neither `webhooks` nor `state` imports a service.
use super::ingest::Job;
use super::offers;
use super::subscriptions::settle as plan_changes;
use crate::domain::rule::ProductSummary;
use std::future::Future;
use std::pin::Pin;

type Tx = crate::server::db::WriteTx;

pub fn apply<'t>(
    tx: &'t mut Tx,
    products: &'t [ProductSummary],
    jobs: Vec<&'t Job>,
) -> Pin<Box<dyn Future<Output = Result<(), sqlx::Error>> + Send + 't>> {
    Box::pin(apply_events(tx, products, jobs))
}

async fn apply_events(
    tx: &mut Tx,
    products: &[ProductSummary],
    jobs: Vec<&Job>,
) -> Result<(), sqlx::Error> {
    // One hold-out query per batch: a purchase by anyone else (nearly everyone) costs none.
    let buyers: Vec<&str> = jobs
        .iter()
        .filter(|j| j.event_type == "payment.succeeded")
        .filter_map(|j| j.data.pointer("/customer/customer_id")?.as_str())
        .collect();
    let mut held = offers::open_holdouts(tx, &buyers).await?;
    let mut bought: Vec<&str> = jobs
        .iter()
        .filter(|j| j.event_type == "payment.succeeded")
        .filter_map(|j| j.data.get("product_cart")?.as_array())
        .flatten()
        .filter_map(|i| i.get("product_id")?.as_str())
        .collect();
    bought.sort_unstable();
    bought.dedup();
    let mut book = offers::RuleBook::load(tx, &buyers, &bought).await?;
    for job in jobs {
        let (kind, data) = (job.event_type.as_str(), &job.data);
        match kind {
            "payment.succeeded" => {
                offers::on_payment_succeeded(tx, products, data, &mut held, &mut book).await?;
                plan_changes::on_payment(tx, data, true).await?
            }
            "payment.failed" => {
                offers::on_payment_failed(tx, data).await?;
                plan_changes::on_payment(tx, data, false).await?
            }
            "subscription.plan_changed" => {
                plan_changes::on_subscription(tx, kind, data).await?;
                offers::on_subscription_changed(tx, data).await?
            }
            // What an open offer's quote read moved: the billing dates (a renewal, free
            // time), the cancellation flag, the plan (a change made outside us).
            "subscription.updated" | "subscription.renewed" | "subscription.active" => {
                offers::on_subscription_changed(tx, data).await?
            }
            "subscription.on_hold" => {
                plan_changes::on_subscription(tx, kind, data).await?;
                offers::on_subscription_ended(tx, kind, data).await?
            }
            // Offers on a subscription that ended can no longer be accepted.
            "subscription.cancelled" | "subscription.expired" | "subscription.failed" => {
                offers::on_subscription_ended(tx, kind, data).await?
            }
            "refund.succeeded" => offers::on_refund(tx, data).await?,
            "refund.failed" => offers::on_refund_failed(tx, data).await?,
            t if t.starts_with("dispute.") => offers::on_dispute(tx, t, data).await?,
            // Stored as received; nothing else reacts to them.
            _ => {}
        }
    }
    book.finish(tx).await
}
