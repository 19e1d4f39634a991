//! `POST /subscriptions/{id}/change-plan/preview` (CONTRACT §9.4): what a change would bill
//! now, priced by `domain::proration`, without changing or charging anything.
//!
//! As in Dodo's preview (the contract's fixture, Basic → Pro half-way: one line of Pro at
//! `proration_factor` 0.5, `customer_credits` −1500, `total_amount` 2500), the only line is the
//! new plan for its share of the period; what offsets it (the old plan's unused value, then any
//! credit balance held) is `summary.customer_credits`, never a line of its own. The line also
//! carries its `subtotal` (an emulator extra): an upgrade's `total_amount` is that subtotal plus
//! the (negative) `customer_credits`; a downgrade charges nothing and `customer_credits` is the
//! credit added.
use super::payments::parse_body;
use super::plan_change::{apply_to, price, validate, ChangeRequest, Planned};
use super::subscriptions::{subscription_json, Scheduled, Sub};
use super::{iso, Reply, Sandbox};
use crate::domain::proration::Quote;
use crate::domain::subscription::EffectiveAt;
use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

fn line_items(p: &Planned, q: &Quote) -> Vec<Value> {
    if q.new_plan_charge <= 0 {
        return Vec::new();
    }
    vec![json!({
        "type": "subscription", "id": p.product.id, "product_id": p.product.id,
        "name": p.product.name, "description": p.product.description,
        "currency": p.product.currency, "unit_price": p.product.price, "quantity": p.quantity,
        "proration_factor": q.proration_factor, "tax_inclusive": false, "tax_rate": 0.0, "tax": 0,
        "subtotal": q.new_plan_charge
    })]
}

fn preview_json(s: &Sub, p: &Planned, q: &Quote, now: i64) -> Value {
    let effective_at = match p.effective {
        EffectiveAt::Immediately => iso(now),
        EffectiveAt::NextBillingDate => iso(s.period_end),
    };
    let mut after = Sub {
        scheduled: None,
        in_flight: false,
        ..s.clone()
    };
    match p.effective {
        EffectiveAt::Immediately => apply_to(&mut after, p, q, now),
        EffectiveAt::NextBillingDate => {
            after.scheduled = Some(Scheduled {
                id: "preview".into(),
                product: p.product,
                quantity: p.quantity,
                created_at: iso(now),
            })
        }
    }
    let cur = p.product.currency;
    json!({
        "immediate_charge": {
            "effective_at": effective_at,
            "line_items": line_items(p, q),
            "summary": {
                "currency": cur, "total_amount": q.total_amount, "tax": 0,
                "customer_credits": q.customer_credits,
                "settlement_amount": q.total_amount, "settlement_currency": cur, "settlement_tax": 0
            }
        },
        "new_plan": subscription_json(&after)
    })
}

pub async fn preview(
    State(sb): State<Sandbox>,
    Path(sid): Path<String>,
    body: axum::body::Bytes,
) -> Reply {
    let req: ChangeRequest = parse_body(&body)?;
    let now = sb.now_ms();
    let mut book = sb.subscriptions.lock().unwrap_or_else(|e| e.into_inner());
    let s = book.get_mut(&sid)?;
    let planned = validate(s, req)?;
    let q = price(s, &planned, now);
    Ok(Json(preview_json(s, &planned, &q, now)))
}
