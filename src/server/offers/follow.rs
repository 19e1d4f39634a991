//! The offer that follows another: the downsell when it is declined, the next offer when it
//! is accepted and paid. Each is made inside the transaction that moved the first offer, so a
//! decline or a payment settled twice (double click, webhook and read-back) makes one.
use super::engine::{rule_match, MATCH_COLUMNS};
use super::make::{insert_offer, NewOffer};
use super::{Offer, Tx};
use crate::domain::rule::{ProductSummary, RuleKind};

/// Makes `offer`'s follower of `kind`, if its rule has one this customer has not declined;
/// returns the new offer's token.
pub(super) async fn follow(
    tx: &mut Tx,
    offer: &Offer,
    kind: RuleKind,
    products: &[ProductSummary],
) -> Result<Option<String>, sqlx::Error> {
    let Some(r) = sqlx::query(&format!(
        "SELECT {MATCH_COLUMNS} FROM rules r \
         WHERE r.parent_rule_id = $1 AND r.kind = $2 AND r.enabled = 1 \
         AND NOT EXISTS (SELECT 1 FROM declines d WHERE d.customer_id = $3 AND d.rule_id = r.id)"
    ))
    .bind(&offer.rule_id)
    .bind(kind.as_str())
    .bind(&offer.customer_id)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    // A downsell answers the same purchase; a next offer follows what was just bought.
    let trigger_id = if kind == RuleKind::Next {
        &offer.offer_product_id
    } else {
        &offer.trigger_product_id
    };
    let Some(trigger) = products.iter().find(|p| &p.id == trigger_id) else {
        return Ok(None);
    };
    let rule = rule_match(&r)?;
    insert_offer(
        tx,
        &rule,
        products,
        NewOffer {
            customer_id: &offer.customer_id,
            trigger_payment_id: offer.trigger_payment_id.as_deref(),
            trigger,
            billing: (offer.billing_country.clone(), offer.billing_zipcode.clone()),
            parent_offer_id: Some(&offer.id),
            subscription_id: offer.subscription_id.as_deref(),
        },
    )
    .await
}
