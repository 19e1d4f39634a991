use super::picker::ProductPicker;
use super::preview::Preview;
use super::table::{kind_msg, timing_msg};
use super::Ctx;
use crate::api::rules::SaveRule;
use crate::domain::error::ErrorCode;
use crate::domain::rule::{normalize, validate, RuleDraft, RuleKind, Timing};
use crate::domain::rule::{ProductSummary, Rule};
use crate::ui::errors::error_text;
use crate::ui::i18n::{use_i18n, Msg};
use crate::ui::widgets::FieldMsg;
use leptos::html;
use leptos::prelude::*;

/// Element id of the control for a validated field (for labels, messages and focus).
fn control_id(field: &str) -> &'static str {
    match field {
        "name" => "rule-name",
        "parent_rule_id" => "rule-parent",
        "trigger_product_id" => "rule-trigger",
        "offer_product_id" => "rule-offer",
        "quantity" => "rule-quantity",
        "headline" => "rule-headline",
        "value_prop" => "rule-value-prop",
        "badge" => "rule-badge",
        "expiry_minutes" => "rule-expiry",
        "experiment.product_id" => "rule-b-product",
        "experiment.headline" => "rule-b-headline",
        "experiment.weight_b" => "rule-b-weight",
        "experiment.holdout" => "rule-holdout",
        _ => "rule-name",
    }
}

/// The screen's one island: it validates as the merchant types (the same `validate` the
/// server runs), previews the offer, and saves through the server function, so a refused save
/// (a conflict, a product gone from Dodo) keeps everything typed. A save that succeeds loads
/// the list again, which shows it.
#[island]
pub(super) fn RuleEditor(
    products: Vec<ProductSummary>,
    rules: Vec<Rule>,
    draft: RuleDraft,
) -> impl IntoView {
    let ctx = Ctx {
        editing: RwSignal::new(Some(draft)),
        error: RwSignal::new(None),
    };
    let i18n = use_i18n();
    let save = ServerAction::<SaveRule>::new();
    let touched: RwSignal<Vec<&'static str>> = RwSignal::new(Vec::new());
    let submitted = RwSignal::new(false);
    let products = StoredValue::new(products);
    let rules = StoredValue::new(rules);

    // The same validation the server runs, for instant feedback.
    let client_errors = Memo::new(move |_| {
        ctx.editing
            .get()
            .map(|d| {
                let d = rules.with_value(|rs| normalize(d, rs));
                products.with_value(|ps| rules.with_value(|rs| validate(&d, ps, rs)))
            })
            .unwrap_or_default()
    });
    let field_error = move |field: &'static str| {
        Signal::derive(move || {
            let show = submitted.get() || touched.with(|t| t.contains(&field));
            let client = show
                .then(|| client_errors.with(|es| es.iter().find(|e| e.field == field).cloned()))
                .flatten();
            client.or_else(|| {
                ctx.error
                    .with(|e| e.as_ref().and_then(|e| e.field(field).cloned()))
            })
        })
    };
    let touch = move |field: &'static str| {
        touched.update(|t| {
            if !t.contains(&field) {
                t.push(field)
            }
        })
    };
    let edit = move |f: fn(&mut RuleDraft, String), v: String| {
        ctx.editing.update(|o| {
            if let Some(d) = o.as_mut() {
                f(d, v)
            }
        })
    };
    let get = move |f: fn(&RuleDraft) -> String| {
        move || ctx.editing.with(|o| o.as_ref().map(f).unwrap_or_default())
    };

    Effect::new(move |_| {
        if let Some(r) = save.value().get() {
            match r {
                Ok(rule) => go_to(&format!("/rules?done=saved&rule={}", rule.id)),
                Err(e) => ctx.error.set(Some(e)),
            }
        }
    });

    let name_ref = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = name_ref.get() {
            let _ = el.focus();
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if let Some(first) =
            client_errors.with_untracked(|es| es.first().map(|e| control_id(&e.field)))
        {
            if let Some(el) = document().get_element_by_id(first) {
                use leptos::wasm_bindgen::JsCast;
                if let Ok(el) = el.dyn_into::<leptos::web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
            return;
        }
        if let Some(draft) = ctx.editing.get_untracked() {
            save.dispatch(SaveRule { draft });
        }
    };

    // What someone else saved, in a fresh editor (what was typed here stays until then).
    let latest_href = move || {
        ctx.editing
            .with(|o| o.as_ref().and_then(|d| d.id.clone()))
            .map(|id| format!("/rules?edit={id}#editor"))
            .unwrap_or_else(|| "/rules".into())
    };

    let is_downsell = move || {
        ctx.editing
            .with(|o| o.as_ref().map(|d| d.kind) == Some(RuleKind::Downsell))
    };
    let is_new = move || {
        ctx.editing
            .with(|o| o.as_ref().is_some_and(|d| d.id.is_none()))
    };
    let pending = save.pending();
    let other_rules = move || {
        let own = ctx.editing.with(|o| o.as_ref().and_then(|d| d.id.clone()));
        let parent = get(|d| d.parent_rule_id.clone().unwrap_or_default())();
        rules.with_value(|rs| {
            rs.iter()
                .filter(|r| Some(&r.id) != own.as_ref())
                .map(|r| {
                    let sel = r.id == parent;
                    view! { <option value=r.id.clone() selected=sel>{r.name.clone()}</option> }
                })
                .collect_view()
        })
    };
    let top_error = move || {
        ctx.error.get().filter(|e| e.code != ErrorCode::Validation).map(|e| {
            let conflict = e.code == ErrorCode::Conflict;
            view! {
                <div class="banner error" role="alert" data-testid="save-error">
                    {conflict.then(|| view! { <strong>{i18n.t(Msg::ConflictTitle)}</strong> })}
                    <p>{move || error_text(i18n.0.get(), &e)}</p>
                    {conflict.then(|| view! { <a class="button" href=latest_href>{i18n.t(Msg::LoadLatest)}</a> })}
                </div>
            }
        })
    };

    view! {
        <div class="editor-wrap">
            <form class="form editor" on:submit=on_submit novalidate=true aria-labelledby="editor-title" data-testid="rule-editor">
                <h2 id="editor-title">{move || i18n.now(if is_new() { Msg::EditorNew } else { Msg::EditorEdit })}</h2>
                {top_error}
                <div class="field">
                    <label for="rule-name">{i18n.t(Msg::FieldName)}</label>
                    <input id="rule-name" node_ref=name_ref type="text" maxlength="80" aria-describedby="rule-name-error"
                        prop:value=get(|d| d.name.clone())
                        on:input=move |ev| edit(|d, v| d.name = v, event_target_value(&ev))
                        on:blur=move |_| touch("name")/>
                    <FieldMsg id="rule-name-error".into() error=field_error("name")/>
                </div>
                <div class="row">
                    <div class="field">
                        <label for="rule-kind">{i18n.t(Msg::FieldKind)}</label>
                        <select id="rule-kind" on:change=move |ev| edit(|d, v| d.kind = RuleKind::parse(&v).unwrap_or(RuleKind::Upsell), event_target_value(&ev))>
                            {RuleKind::ALL.into_iter().map(|k| view! {
                                <option value=k.as_str() selected=move || ctx.editing.with(|o| o.as_ref().map(|d| d.kind) == Some(k))>{i18n.t(kind_msg(k))}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="rule-timing">{i18n.t(Msg::FieldTiming)}</label>
                        <select id="rule-timing" on:change=move |ev| edit(|d, v| d.timing = Timing::parse(&v).unwrap_or(Timing::PostPurchase), event_target_value(&ev))>
                            {Timing::ALL.into_iter().map(|t| view! {
                                <option value=t.as_str() selected=move || ctx.editing.with(|o| o.as_ref().map(|d| d.timing) == Some(t))>{i18n.t(timing_msg(t))}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                <Show when=is_downsell>
                    <div class="field">
                        <label for="rule-parent">{i18n.t(Msg::FieldParent)}</label>
                        <select id="rule-parent" aria-describedby="rule-parent-help rule-parent-error"
                            on:change=move |ev| { edit(|d, v| d.parent_rule_id = Some(v).filter(|v| !v.is_empty()), event_target_value(&ev)); touch("parent_rule_id"); }>
                            <option value="">{i18n.t(Msg::ChooseRule)}</option>
                            {other_rules}
                        </select>
                        <p id="rule-parent-help" class="help">{i18n.t(Msg::FieldParentHelp)}</p>
                        <FieldMsg id="rule-parent-error".into() error=field_error("parent_rule_id")/>
                    </div>
                </Show>
                <Show when=move || !is_downsell()>
                    <ProductPicker id="rule-trigger" label=Msg::FieldTrigger products
                        value=Signal::derive(get(|d| d.trigger_product_id.clone()))
                        on_pick=move |v| { edit(|d, v| d.trigger_product_id = v, v); touch("trigger_product_id"); }
                        error=field_error("trigger_product_id")/>
                </Show>
                <ProductPicker id="rule-offer" label=Msg::FieldOffer products
                    value=Signal::derive(get(|d| d.offer_product_id.clone()))
                    on_pick=move |v| { edit(|d, v| d.offer_product_id = v, v); touch("offer_product_id"); }
                    error=field_error("offer_product_id")/>
                <div class="row">
                    <div class="field">
                        <label for="rule-quantity">{i18n.t(Msg::FieldQuantity)}</label>
                        <input id="rule-quantity" type="number" min="1" max="100" inputmode="numeric" aria-describedby="rule-quantity-error"
                            prop:value=get(|d| d.quantity.to_string())
                            on:input=move |ev| edit(|d, v| d.quantity = v.trim().parse().unwrap_or(0), event_target_value(&ev))
                            on:blur=move |_| touch("quantity")/>
                        <FieldMsg id="rule-quantity-error".into() error=field_error("quantity")/>
                    </div>
                    <div class="field">
                        <label for="rule-expiry">{i18n.t(Msg::FieldExpiry)}</label>
                        <input id="rule-expiry" type="number" min="1" max="10080" inputmode="numeric" aria-describedby="rule-expiry-error"
                            prop:value=get(|d| d.expiry_minutes.to_string())
                            on:input=move |ev| edit(|d, v| d.expiry_minutes = v.trim().parse().unwrap_or(0), event_target_value(&ev))
                            on:blur=move |_| touch("expiry_minutes")/>
                        <FieldMsg id="rule-expiry-error".into() error=field_error("expiry_minutes")/>
                    </div>
                </div>
                <div class="field">
                    <label for="rule-headline">{i18n.t(Msg::FieldHeadline)}</label>
                    <input id="rule-headline" type="text" maxlength="120" aria-describedby="rule-headline-error"
                        prop:value=get(|d| d.headline.clone())
                        on:input=move |ev| edit(|d, v| d.headline = v, event_target_value(&ev))
                        on:blur=move |_| touch("headline")/>
                    <FieldMsg id="rule-headline-error".into() error=field_error("headline")/>
                </div>
                <div class="field">
                    <label for="rule-value-prop">{i18n.t(Msg::FieldValueProp)}</label>
                    <textarea id="rule-value-prop" rows="3" maxlength="500" aria-describedby="rule-value-prop-error"
                        prop:value=get(|d| d.value_prop.clone())
                        on:input=move |ev| edit(|d, v| d.value_prop = v, event_target_value(&ev))
                        on:blur=move |_| touch("value_prop")></textarea>
                    <FieldMsg id="rule-value-prop-error".into() error=field_error("value_prop")/>
                </div>
                <div class="row">
                    <div class="field">
                        <label for="rule-badge">{i18n.t(Msg::FieldBadge)}</label>
                        <input id="rule-badge" type="text" maxlength="24" aria-describedby="rule-badge-help rule-badge-error"
                            prop:value=get(|d| d.badge.clone())
                            on:input=move |ev| edit(|d, v| d.badge = v, event_target_value(&ev))
                            on:blur=move |_| touch("badge")/>
                        <p id="rule-badge-help" class="help">{i18n.t(Msg::FieldBadgeHelp)}</p>
                        <FieldMsg id="rule-badge-error".into() error=field_error("badge")/>
                    </div>
                    <div class="field check">
                        <input id="rule-enabled" type="checkbox"
                            prop:checked=move || ctx.editing.with(|o| o.as_ref().is_some_and(|d| d.enabled))
                            on:change=move |ev| edit(|d, v| d.enabled = v == "true", event_target_checked(&ev).to_string())/>
                        <label for="rule-enabled">{i18n.t(Msg::FieldEnabled)}</label>
                    </div>
                </div>
                <details class="experiment-fields" open=ctx.editing.with_untracked(|o| o.as_ref().is_some_and(|d| d.experiment.is_running()))>
                    <summary>{i18n.t(Msg::FieldExperiment)}</summary>
                    <p class="help">{i18n.t(Msg::FieldExperimentHelp)}</p>
                    <div class="field">
                        <label for="rule-b-product">{i18n.t(Msg::FieldBProduct)}</label>
                        <select id="rule-b-product" aria-describedby="rule-b-product-error"
                            prop:value=get(|d| d.experiment.product_id.clone())
                            on:change=move |ev| { edit(|d, v| d.experiment.product_id = v, event_target_value(&ev)); touch("experiment.product_id"); }>
                            <option value="">{i18n.t(Msg::FieldSameAsA)}</option>
                            {products.with_value(|ps| ps.iter().map(|p| {
                                let text = format!("{} — {}", p.name, p.price_label());
                                view! { <option value=p.id.clone()>{text}</option> }
                            }).collect_view())}
                        </select>
                        <FieldMsg id="rule-b-product-error".into() error=field_error("experiment.product_id")/>
                    </div>
                    <div class="field">
                        <label for="rule-b-headline">{i18n.t(Msg::FieldBHeadline)}</label>
                        <input id="rule-b-headline" type="text" maxlength="120" aria-describedby="rule-b-headline-error"
                            prop:value=get(|d| d.experiment.headline.clone())
                            on:input=move |ev| edit(|d, v| d.experiment.headline = v, event_target_value(&ev))
                            on:blur=move |_| touch("experiment.headline")/>
                        <FieldMsg id="rule-b-headline-error".into() error=field_error("experiment.headline")/>
                    </div>
                    <div class="row">
                        <div class="field">
                            <label for="rule-b-weight">{i18n.t(Msg::FieldBWeight)}</label>
                            <input id="rule-b-weight" type="number" min="0" max="100" inputmode="numeric" aria-describedby="rule-b-weight-error"
                                prop:value=get(|d| d.experiment.weight_b.to_string())
                                on:input=move |ev| edit(|d, v| d.experiment.weight_b = v.trim().parse().unwrap_or(-1), event_target_value(&ev))
                                on:blur=move |_| touch("experiment.weight_b")/>
                            <FieldMsg id="rule-b-weight-error".into() error=field_error("experiment.weight_b")/>
                        </div>
                        <div class="field">
                            <label for="rule-holdout">{i18n.t(Msg::FieldHoldout)}</label>
                            <input id="rule-holdout" type="number" min="0" max="50" inputmode="numeric" aria-describedby="rule-holdout-error"
                                prop:value=get(|d| d.experiment.holdout.to_string())
                                on:input=move |ev| edit(|d, v| d.experiment.holdout = v.trim().parse().unwrap_or(-1), event_target_value(&ev))
                                on:blur=move |_| touch("experiment.holdout")/>
                            <FieldMsg id="rule-holdout-error".into() error=field_error("experiment.holdout")/>
                        </div>
                    </div>
                </details>
                <div class="buttons">
                    <button type="submit" class="primary" data-testid="save-rule" disabled=pending>
                        {move || i18n.now(if pending.get() { Msg::Saving } else { Msg::Save })}
                    </button>
                    <a class="button" href="/rules">{i18n.t(Msg::Cancel)}</a>
                </div>
            </form>
            <Preview draft=ctx.editing products/>
        </div>
    }
}

/// Leaves for another page (after a save: the list, which shows the result).
fn go_to(href: &str) {
    let _ = window().location().assign(href);
}
