//! The map as a picture: trigger → offer → downsell (declined) or next offer (accepted), up
//! to three offers in a row, drawn as SVG on the server (no script).
//! Each offer node shows its action, take rate and revenue over 30 days, and links to its
//! editor. The table above stays the accessible way to read and edit the map; the picture is
//! a figure with a text summary.
use crate::api::rules::{RuleStats, RulesData};
use crate::domain::money::format_money;
use crate::domain::rule::{rule_action, Rule, RuleAction, RuleKind, ANY_PRODUCT};
use crate::ui::i18n::{use_i18n, Msg};
use leptos::prelude::*;

/// Columns: what was bought, then up to `CHAIN_MAX` offers in a row.
/// The gaps between columns leave room for an edge's label ("declined", "accepted").
const COL: [f64; 4] = [10.0, 240.0, 520.0, 800.0];
const NODE_W: [f64; 4] = [180.0, 215.0, 215.0, 215.0];
const WIDTH: f64 = 1025.0;
const NODE_H: f64 = 72.0;
const ROW: f64 = 86.0;

#[derive(Clone, Copy, PartialEq)]
enum Edge {
    Bought,
    Declined,
    Accepted,
}

struct Node {
    col: usize,
    row: usize,
    title: String,
    lines: Vec<String>,
    href: Option<String>,
    class: &'static str,
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn stats_line(s: Option<&RuleStats>, currency: &str, i18n: crate::ui::i18n::I18n) -> String {
    match s {
        Some(s) if s.offers > 0 => format!(
            "{:.0}% {} · {}",
            100.0 * s.paid as f64 / s.offers as f64,
            i18n.now(Msg::GraphTaken),
            format_money(s.revenue, currency)
        ),
        _ => i18n.now(Msg::GraphNoOffers).to_string(),
    }
}

#[component]
pub(super) fn MapGraph(data: RulesData) -> impl IntoView {
    let i18n = use_i18n();
    let find = |id: &str| data.products.iter().find(|p| p.id == id);
    let name = |id: &str| {
        if id == ANY_PRODUCT {
            i18n.now(Msg::PvCatchAll).to_string()
        } else {
            find(id)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| id.to_string())
        }
    };
    let action_text = |r: &Rule| {
        let a = rule_action(
            r.kind,
            find(&r.trigger_product_id),
            find(&r.offer_product_id),
            r.terms.free_days,
        );
        i18n.now(match a {
            RuleAction::OneTime => Msg::ActionOneTime,
            RuleAction::NewSubscription => Msg::ActionNewSubscription,
            RuleAction::PlanChange => Msg::ActionPlanChange,
            RuleAction::FreeTime => Msg::ActionFreeTime,
        })
    };
    let offer_node = |r: &Rule, col: usize, row: usize| {
        let currency = find(&r.offer_product_id)
            .map(|p| p.currency.clone())
            .unwrap_or_default();
        let stats = data.stats.iter().find(|s| s.rule_id == r.id);
        let offer = if r.offer_product_id.is_empty() {
            format!("{} {}", r.terms.free_days, i18n.now(Msg::OfferDaysFree))
        } else {
            name(&r.offer_product_id)
        };
        let (arrow, class) = match (r.kind, r.enabled) {
            (RuleKind::Downsell, true) => ("↘", "downsell"),
            (RuleKind::Downsell, false) => ("↘", "downsell off"),
            (_, true) => ("→", "offer"),
            (_, false) => ("→", "offer off"),
        };
        Node {
            col,
            row,
            title: short(&format!("{arrow} {offer}"), 26),
            lines: vec![
                short(&r.name, 30),
                short(action_text(r), 30),
                stats_line(stats, &currency, i18n),
            ],
            href: Some(format!("/rules?edit={}#editor", r.id)),
            class,
        }
    };
    let mut nodes: Vec<Node> = Vec::new();
    let mut edges: Vec<(usize, usize, Edge)> = Vec::new();
    let mut row = 0usize;
    let mut triggers: Vec<String> = Vec::new();
    for r in data.rules.iter().filter(|r| !r.kind.follows_a_rule()) {
        if !triggers.contains(&r.trigger_product_id) {
            triggers.push(r.trigger_product_id.clone());
        }
    }
    for t in &triggers {
        let trigger_node = nodes.len();
        nodes.push(Node {
            col: 0,
            row,
            title: short(&name(t), 22),
            lines: vec![i18n.now(Msg::GraphBought).to_string()],
            href: None,
            class: "trigger",
        });
        let roots = data
            .rules
            .iter()
            .filter(|r| !r.kind.follows_a_rule() && &r.trigger_product_id == t);
        for (i, r) in roots.enumerate() {
            if i > 0 {
                row += 1;
            }
            // Depth first: a rule's first follower (the next offer) on its row, the other
            // (the downsell) below everything drawn after the first.
            let mut stack = vec![(r, 1usize, trigger_node, Edge::Bought, true)];
            while let Some((r, col, from, edge, first)) = stack.pop() {
                if col >= COL.len() {
                    continue;
                }
                if !first {
                    row += 1;
                }
                let node = nodes.len();
                nodes.push(offer_node(r, col, row));
                edges.push((from, node, edge));
                let mut children: Vec<(&Rule, Edge)> = data
                    .rules
                    .iter()
                    .filter(|f| {
                        f.kind.follows_a_rule()
                            && f.parent_rule_id.as_deref() == Some(r.id.as_str())
                    })
                    .map(|f| {
                        let e = if f.kind == RuleKind::Next {
                            Edge::Accepted
                        } else {
                            Edge::Declined
                        };
                        (f, e)
                    })
                    .collect();
                children.sort_by_key(|c| c.1 != Edge::Accepted);
                for (i, (f, e)) in children.into_iter().enumerate().rev() {
                    stack.push((f, col + 1, node, e, i == 0));
                }
            }
        }
        row += 1;
    }
    if nodes.is_empty() {
        return ().into_any();
    }
    let height = row as f64 * ROW + 10.0;
    let pos = |n: &Node| (COL[n.col], 10.0 + n.row as f64 * ROW);
    let edge_views = edges
        .iter()
        .map(|&(a, b, edge)| {
            let (ax, ay) = pos(&nodes[a]);
            let (bx, by) = pos(&nodes[b]);
            let (x1, y1) = (ax + NODE_W[nodes[a].col], ay + NODE_H / 2.0);
            let (x2, y2) = (bx, by + NODE_H / 2.0);
            let mid = (x1 + x2) / 2.0;
            let d = format!("M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}");
            let (class, label) = match edge {
                Edge::Bought => ("edge", None),
                Edge::Declined => ("edge declined", Some((Msg::GraphDeclined, "edge-label declined"))),
                Edge::Accepted => ("edge accepted", Some((Msg::GraphAccepted, "edge-label accepted"))),
            };
            view! {
                <path d=d class=class marker-end="url(#arrow)"/>
                {label.map(|(m, c)| view! { <text x=mid y=(y1 + y2) / 2.0 - 5.0 text-anchor="middle" class=c>{i18n.now(m)}</text> })}
            }
        })
        .collect_view();
    let node_views = nodes
        .into_iter()
        .enumerate()
        .map(|(k, n)| {
            let (x, y) = pos(&n);
            let w = NODE_W[n.col];
            let clip = format!("node-clip-{k}");
            let body = view! {
                <rect x=x y=y width=w height=NODE_H rx="6" class=format!("node {}", n.class)/>
                // Text is cut to a number of characters, but glyphs differ in width: the clip
                // hides whatever would still cross the box's edge.
                <clipPath id=clip.clone()>
                    <rect x=x y=y width=w - 6.0 height=NODE_H/>
                </clipPath>
                <g clip-path=format!("url(#{clip})")>
                    <text x=x + 8.0 y=y + 18.0 class="node-title">{n.title.clone()}</text>
                    {n.lines.iter().enumerate().map(|(i, l)| view! {
                        <text x=x + 8.0 y=y + 35.0 + 14.0 * i as f64 class="node-line">{l.clone()}</text>
                    }).collect_view()}
                </g>
            };
            match n.href {
                Some(h) => {
                    view! { <a href=h class="node-link" data-testid="graph-node">{body}</a> }
                        .into_any()
                }
                None => view! { <g>{body}</g> }.into_any(),
            }
        })
        .collect_view();
    view! {
        <figure class="map-graph" data-testid="map-graph">
            <svg viewBox=format!("0 0 {WIDTH} {height}") width="100%" role="group" aria-labelledby="map-graph-caption">
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M0,0 L10,5 L0,10 z" class="arrow"/>
                    </marker>
                </defs>
                {edge_views}
                {node_views}
            </svg>
            <figcaption id="map-graph-caption">{i18n.t(Msg::GraphCaption)}</figcaption>
        </figure>
    }
    .into_any()
}
