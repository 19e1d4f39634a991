//! Chains: a downsell follows its rule's offer when it is declined, a next offer when it is
//! accepted and paid. Both edges point at the parent rule, so one walk up finds a loop over
//! either, and a chain's length is the rules above a rule, itself, and the longest line below.
use super::{product, Rule, RuleDraft, RuleKind};
use crate::domain::error::FieldError;
use crate::domain::money::format_money;
use crate::domain::rule::ProductSummary;

/// Offers one purchase can lead to in a row (the first, then downsells or next offers).
pub const CHAIN_MAX: usize = 3;

const FIELD: &str = "parent_rule_id";

/// What a rule that follows another must satisfy. `others` is the map without the draft.
pub(super) fn validate(
    d: &RuleDraft,
    products: &[ProductSummary],
    others: &[&Rule],
    offer: Option<&ProductSummary>,
    errs: &mut Vec<FieldError>,
) {
    let next = d.kind == RuleKind::Next;
    let Some(parent_id) = d.parent_rule_id.as_deref() else {
        errs.push(FieldError::new(
            FIELD,
            "parent_required",
            if next {
                "A next offer follows another rule's offer once it is accepted: choose which rule."
            } else {
                "A downsell replaces another rule's offer: choose which rule it follows."
            },
        ));
        return;
    };
    let Some(parent) = others.iter().find(|r| r.id == parent_id) else {
        let own = Some(parent_id) == d.id.as_deref();
        errs.push(FieldError::new(
            FIELD,
            if own { "chain_loop" } else { "parent_missing" },
            "Choose another rule: a rule cannot follow itself or a rule that no longer exists.",
        ));
        return;
    };
    if next && parent.kind == RuleKind::Save {
        errs.push(FieldError::new(
            FIELD,
            "parent_is_save",
            "A save offer answers a cancellation; nothing is offered after it. Pick a rule that sells something.",
        ));
    }
    if others
        .iter()
        .any(|r| r.kind == d.kind && r.parent_rule_id.as_deref() == Some(parent_id))
    {
        errs.push(if next {
            FieldError::new(
                FIELD,
                "parent_has_next",
                format!(
                    "\"{}\" already has a next offer. Edit that one, or pick another rule.",
                    parent.name
                ),
            )
        } else {
            FieldError::new(
                FIELD,
                "parent_has_downsell",
                "That rule already has a downsell. Edit that one, or pick another rule.",
            )
        });
    }
    let above = ancestors(parent, others);
    if let Some(cycle) = loop_through(d, &above) {
        errs.push(FieldError::new(
            FIELD,
            "chain_loop",
            format!(
                "This would make a loop: {}. Each offer would lead back to an earlier one; pick a \
                 rule that is not below this one.",
                cycle.join(" → ")
            ),
        ));
    } else {
        let below = d.id.as_deref().map_or(0, |id| height(id, others, 0));
        let length = above.len() + 1 + below;
        if length > CHAIN_MAX {
            let mut line: Vec<String> = above
                .iter()
                .rev()
                .map(|r| format!("\"{}\"", r.name))
                .collect();
            line.push(format!("\"{}\"", d.name));
            errs.push(FieldError::new(
                FIELD,
                "chain_too_long",
                format!(
                    "One purchase leads to at most {CHAIN_MAX} offers in a row; this would make \
                     {length} ({}{}). Attach it higher up, or shorten the chain.",
                    line.join(" → "),
                    if below > 0 { " → …" } else { "" }
                ),
            ));
        }
    }
    if d.kind == RuleKind::Downsell {
        if let (Some(o), Some(po)) = (offer, product(products, &parent.offer_product_id)) {
            let ours = o.price.saturating_mul(d.quantity as i64);
            let theirs = po.price.saturating_mul(parent.quantity as i64);
            if o.currency == po.currency && ours >= theirs {
                errs.push(FieldError::new(
                    "offer_product_id",
                    "downsell_not_cheaper",
                    format!(
                        "A downsell must cost less than the offer it replaces ({} here vs {}).",
                        format_money(ours, &o.currency),
                        format_money(theirs, &po.currency)
                    ),
                ));
            }
        }
    }
}

/// The parent and the rules above it, nearest first; stops where the line repeats (a loop
/// already stored, or one the draft would close).
fn ancestors<'a>(parent: &'a Rule, others: &[&'a Rule]) -> Vec<&'a Rule> {
    let mut line = vec![parent];
    let mut cur = parent;
    while let Some(up) = cur
        .parent_rule_id
        .as_deref()
        .filter(|_| cur.kind.follows_a_rule())
        .and_then(|id| others.iter().find(|r| r.id == id))
    {
        if line.iter().any(|r| r.id == up.id) {
            break;
        }
        line.push(up);
        cur = up;
    }
    line
}

/// The loop the draft would close, named from the draft round to itself, if its own id is
/// among the rules its parent follows.
fn loop_through(d: &RuleDraft, above: &[&Rule]) -> Option<Vec<String>> {
    let last = above.last()?;
    let id = d.id.as_deref()?;
    if last.parent_rule_id.as_deref() != Some(id) || !last.kind.follows_a_rule() {
        return None;
    }
    // In the order the offers would be shown: the draft, what follows it, …, the draft again.
    let quoted = |n: &str| format!("\"{n}\"");
    let mut names = vec![quoted(&d.name)];
    names.extend(above.iter().rev().map(|r| quoted(&r.name)));
    names.push(quoted(&d.name));
    Some(names)
}

/// The longest line of rules that follow `id` (0: none). `depth` guards against a stored loop.
fn height(id: &str, others: &[&Rule], depth: usize) -> usize {
    if depth > CHAIN_MAX {
        return depth;
    }
    others
        .iter()
        .filter(|r| r.kind.follows_a_rule() && r.parent_rule_id.as_deref() == Some(id))
        .map(|r| 1 + height(&r.id, others, depth + 1))
        .max()
        .unwrap_or(0)
}
