//! Dodo's JSON, read into what the console shows. Lenient: a missing optional field is "no value".
use crate::domain::rule::ProductSummary;
use crate::domain::subscription::{MethodView, ScheduledView, SubscriptionView};
use serde_json::Value;

/// RFC 3339 → UTC milliseconds (0 when absent or unreadable).
pub fn ms(v: Option<&Value>) -> i64 {
    v.and_then(Value::as_str)
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.timestamp_millis())
        .unwrap_or(0)
}

fn text(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

pub fn product_name(products: &[ProductSummary], id: &str) -> String {
    products
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| id.to_string())
}

pub fn subscription(v: &Value, products: &[ProductSummary]) -> Option<SubscriptionView> {
    let product_id = text(v, "product_id");
    let scheduled = v
        .get("scheduled_change")
        .filter(|s| s.is_object())
        .map(|s| {
            let pid = text(s, "product_id");
            ScheduledView {
                product_name: s
                    .get("product_name")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| product_name(products, &pid)),
                product_id: pid,
                quantity: s.get("quantity").and_then(Value::as_i64).unwrap_or(1),
                effective_at: ms(s.get("effective_at")),
            }
        });
    Some(SubscriptionView {
        id: v.get("subscription_id")?.as_str()?.to_string(),
        status: text(v, "status"),
        product_name: v
            .get("product_name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| product_name(products, &product_id)),
        product_id,
        quantity: v.get("quantity").and_then(Value::as_i64).unwrap_or(1),
        recurring_amount: v
            .get("recurring_pre_tax_amount")
            .and_then(Value::as_i64)
            .unwrap_or(0),
        currency: text(v, "currency"),
        interval: text(v, "payment_frequency_interval"),
        previous_billing_date: ms(v.get("previous_billing_date")),
        next_billing_date: ms(v.get("next_billing_date")),
        cancel_at_next_billing_date: v
            .get("cancel_at_next_billing_date")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        payment_method_id: v
            .get("payment_method_id")
            .and_then(Value::as_str)
            .map(str::to_string),
        scheduled,
    })
}

/// A saved method with its flags, judged in the month `today` (year, month).
pub fn method(v: &Value, today: (i32, u32), renewal_ids: &[String]) -> Option<MethodView> {
    let id = v.get("payment_method_id")?.as_str()?.to_string();
    let card = v.get("card").filter(|c| c.is_object());
    let field = |k: &str| {
        card.and_then(|c| c.get(k))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let expiry = crate::server::dodo::card_expiry(v);
    let label = match (field("card_network"), field("last4_digits")) {
        (Some(n), Some(l)) => format!("{n} •••• {l}"),
        (None, Some(l)) => format!("•••• {l}"),
        _ => text(v, "payment_method"),
    };
    Some(MethodView {
        used_for_renewals: renewal_ids.contains(&id),
        id,
        label,
        expiry: expiry.map(|(y, m)| format!("{m:02}/{y}")),
        expired: expiry.is_some_and(|e| e < today),
        recurring: v
            .get("recurring_enabled")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_methods_with_flags() {
        let v = json!({"payment_method_id": "pm_1", "payment_method": "card", "recurring_enabled": true,
            "card": {"card_network": "VISA", "last4_digits": "4242", "expiry_month": "01", "expiry_year": "24"}});
        let m = method(&v, (2026, 11), &["pm_1".into()]).unwrap();
        assert_eq!(m.label, "VISA •••• 4242");
        assert_eq!(m.expiry.as_deref(), Some("01/2024"));
        assert!(m.expired && m.recurring && m.used_for_renewals);
        let wallet = json!({"payment_method_id": "pm_2", "payment_method": "wallet"});
        let w = method(&wallet, (2026, 11), &[]).unwrap();
        assert_eq!(
            (w.label.as_str(), w.expired, w.recurring),
            ("wallet", false, false)
        );
    }

    #[test]
    fn reads_subscriptions_leniently() {
        let v = json!({"subscription_id": "sub_1", "status": "active", "product_id": "pdt_x",
            "quantity": 2, "recurring_pre_tax_amount": 6000, "currency": "USD",
            "next_billing_date": "2026-09-01T09:12:44.512830Z", "scheduled_change": null});
        let s = subscription(&v, &[]).unwrap();
        assert_eq!((s.product_name.as_str(), s.quantity), ("pdt_x", 2));
        assert_eq!(s.next_billing_date, 1_788_253_964_512);
        assert!(s.scheduled.is_none());
        assert!(subscription(&json!({}), &[]).is_none());
    }
}
