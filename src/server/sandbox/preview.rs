//! `POST /subscriptions/{id}/change-plan/preview` (CONTRACT §9.4): what a change would bill
//! now, priced by `domain::proration`, without changing or charging anything.
//!
//! Line items: the new plan for its share of the period and, under `prorated_immediately`,
//! the unused part of the old plan as its own (negative) line. Each line also carries its
//! `subtotal` (an emulator extra), so `summary.total_amount` is the lines' sum less any credit
//! balance the subscription holds, never below zero.
use super::payments::parse_body;
use super::plan_change::{apply_to, price, validate, ChangeRequest, Planned};
use super::subscriptions::{subscription_json, Scheduled, Sub};
use super::{iso, Reply, Sandbox};
use crate::domain::proration::{ProrationMode, Quote};
use crate::domain::subscription::EffectiveAt;
use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

fn line_items(s: &Sub, p: &Planned, q: &Quote) -> Vec<Value> {
    let mut lines = Vec::new();
    if q.new_plan_charge > 0 {
        lines.push(json!({
            "type": "subscription", "id": p.product.id, "product_id": p.product.id,
            "name": p.product.name, "description": p.product.description,
            "currency": p.product.currency, "unit_price": p.product.price, "quantity": p.quantity,
            "proration_factor": q.proration_factor, "tax_inclusive": false, "tax_rate": 0.0, "tax": 0,
            "subtotal": q.new_plan_charge
        }));
    }
    if p.mode == Some(ProrationMode::ProratedImmediately)
        && p.effective == EffectiveAt::Immediately
        && q.unused_credit > 0
    {
        lines.push(json!({
            "type": "subscription", "id": format!("{}_unused", s.product.id),
            "product_id": s.product.id,
            "name": format!("Unused time on {}", s.product.name),
            "description": "Credit for the part of the current period not used on the old plan.",
            "currency": s.product.currency, "unit_price": -s.product.price, "quantity": s.quantity,
            "proration_factor": q.proration_factor, "tax_inclusive": false, "tax_rate": 0.0, "tax": 0,
            "subtotal": -q.unused_credit
        }));
    }
    lines
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
            "line_items": line_items(s, p, q),
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
